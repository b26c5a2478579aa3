"""The harness itself: no ONETHING_* of the caller's shell reaches a test, nothing lands in the checkout's instance/."""
from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from tests.conftest import CHECKOUT_INSTANCE, REPO
from web.app import create_app
from web.cli import cli


def checkout_instance() -> dict[str, float]:
    """Every file under the checkout's instance/ with its modification time (empty when there is none)."""
    if not CHECKOUT_INSTANCE.exists():
        return {}
    return {str(path): path.stat().st_mtime for path in CHECKOUT_INSTANCE.rglob("*")}


def test_only_the_tests_own_instance_path_is_set(isolated):
    assert {name for name in os.environ if name.startswith("ONETHING_")} == {"ONETHING_INSTANCE_PATH"}
    assert os.environ["ONETHING_INSTANCE_PATH"] == str(isolated)
    assert not isolated.is_relative_to(REPO)


def test_the_app_and_the_cli_keep_their_files_in_the_tests_instance_path(isolated):
    before = checkout_instance()
    app = create_app()  # no configuration at all: default database, generated secret key, compiled translations
    assert app.instance_path == str(isolated)
    assert app.config["DATABASE_URL"] == f"sqlite:///{isolated / 'onething.db'}"
    assert (isolated / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    assert sorted(p.relative_to(isolated).as_posix() for p in (isolated / "translations").rglob("*.mo")) == [
        "translations/en/LC_MESSAGES/messages.mo", "translations/zh/LC_MESSAGES/messages.mo"]
    result = CliRunner().invoke(cli, ["check", str(REPO / "processes" / "newborn" / "after.bpmn")])
    assert result.exit_code == 0 and "1 file(s) OK" in result.output
    assert checkout_instance() == before


def test_a_callers_onething_variables_do_not_change_the_outcome(tmp_path):
    """`ONETHING_SECRET_KEY=x pytest` (and friends) passes: the tests that read the configuration run clean."""
    elsewhere = tmp_path / "callers-instance"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ONETHING_", "COV_", "COVERAGE_"))}
    env.update(ONETHING_SECRET_KEY="x", ONETHING_SECURE_COOKIES="1", ONETHING_SESSION_HOURS="0",
               ONETHING_DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'no.db'}",
               ONETHING_INSTANCE_PATH=str(elsewhere), ONETHING_PROCESSES_PATH=str(tmp_path),
               ONETHING_MAX_UPLOAD_BYTES="10")
    chosen = ["tests/web/test_pages.py::test_secret_key_is_generated_once_and_kept",
              "tests/web/test_pages.py::test_secure_cookie_flag_from_environment",
              "tests/test_isolation.py::test_only_the_tests_own_instance_path_is_set",
              "tests/test_isolation.py::test_the_app_and_the_cli_keep_their_files_in_the_tests_instance_path"]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                             "-p", "no:cov", f"--basetemp={tmp_path / 'inner'}", *chosen],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{len(chosen)} passed" in result.stdout
    assert not elsewhere.exists()
