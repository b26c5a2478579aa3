"""`onething` starts fast because it imports little: what the help and `check` load, without timing anything.

Each probe is a fresh interpreter that runs the real entry point (`web.cli.main`) and then lists
`sys.modules`; bench/cli.py measures the seconds.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import click

from tests.web.conftest import REPO
from web.cli import cli

PROBE = r"""
import json, sys
plan, out = json.loads(sys.argv[1]), sys.argv[2]
from web.cli import main
report = []
for args in plan:
    sys.argv = ["onething", *args]
    before = set(sys.modules)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    report.append({"args": args, "code": code, "new": sorted(set(sys.modules) - before)})
with open(out, "w") as handle:
    json.dump({"report": report, "modules": sorted(sys.modules)}, handle)
"""

# what no help text needs; most of it is what made `onething --help` take over a second
HEAVY = ("flask", "werkzeug", "jinja2", "flask_babel", "babel", "sqlalchemy", "alembic", "psycopg", "SpiffWorkflow",
         "lxml", "RestrictedPython", "marshmallow", "apispec", "yaml", "openpyxl", "xlsxwriter", "reportlab",
         "fontTools", "numpy", "pandas", "graphviz", "holidays", "chinese_calendar")
# the web and the database: `check` reads model files and needs neither
NOT_FOR_CHECK = ("flask", "werkzeug", "jinja2", "flask_babel", "babel", "sqlalchemy", "alembic", "psycopg", "apispec",
                 "openpyxl", "xlsxwriter", "reportlab", "fontTools", "numpy", "pandas", "graphviz",
                 "engine.context", "engine.store", "engine.cases", "engine.audit", "engine.accounts",
                 "engine.catalog.versions", "engine.catalog.designer", "web.app", "web.api", "web.pages")
# our own modules the help may load: the command modules, the engine's facade, its errors and words
HELP_OWN = ("web", "web.cli", "web.commands", "engine", "engine.errors", "engine.vocabulary")


def probe(tmp_path, plan: list[list[str]], **extra_env: str) -> dict:
    """Run `onething ARGS` for each ARGS of `plan` in one fresh interpreter; exit codes and the modules it loaded."""
    out = tmp_path / "modules.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
               **extra_env)
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(plan), str(out)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(out.read_text())


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """The modules of `modules` that are one of `names` or inside one of them."""
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in names)]


def every_help() -> list[list[str]]:
    """`--help` of the group and of every command and sub-command."""
    plans: list[list[str]] = [["--help"]]
    for name, command in sorted(cli.commands.items()):
        plans.append([name, "--help"])
        if isinstance(command, click.Group):
            plans += [[name, sub, "--help"] for sub in sorted(command.commands)]
    return plans


def test_help_of_every_command_imports_no_framework_no_database_no_model_parser(tmp_path):
    plan = every_help()
    assert ["case", "start", "--help"] in plan and ["check", "--help"] in plan and len(plan) > 20
    found = probe(tmp_path, plan)
    assert [entry["code"] for entry in found["report"]] == [0] * len(plan)
    modules = found["modules"]
    assert "web.commands.check" in modules and "click" in modules  # the probe did load the CLI
    assert loaded(modules, HEAVY) == []
    own = [m for m in modules if m.split(".")[0] in ("engine", "web", "diagrams")]
    assert [m for m in own if m not in HELP_OWN and not m.startswith("web.commands.")] == []


def test_check_loads_the_model_checker_and_nothing_of_the_web_or_the_database(tmp_path):
    model = str(REPO / "processes" / "newborn" / "after.bpmn")
    found = probe(tmp_path, [["check", model]])
    assert found["report"][0]["code"] == 0
    modules = found["modules"]
    assert {"SpiffWorkflow", "engine.model.loading", "engine.matters.files"} <= set(modules)  # it did check
    assert loaded(modules, NOT_FOR_CHECK) == []


def test_a_command_that_needs_the_database_still_gets_the_app(tmp_path):
    """The other side of lazy imports: `init-db` builds the Flask app and reaches the database."""
    found = probe(tmp_path, [["init-db"]], ONETHING_DATABASE_URL=f"sqlite:///{tmp_path / 'probe.db'}")
    assert found["report"][0]["code"] == 0
    assert {"flask", "sqlalchemy", "web.app"} <= set(found["modules"])
    assert (tmp_path / "probe.db").is_file()
