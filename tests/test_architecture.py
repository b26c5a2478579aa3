"""The shape of the code: the engine's facade, the import rules, module sizes."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine

REPO = Path(__file__).resolve().parents[1]


def test_every_facade_name_resolves() -> None:
    missing = [name for name in engine.__all__ if getattr(engine, name, None) is None]
    assert not missing, f"engine.__all__ names nothing for: {missing}"


def test_importing_the_facade_loads_no_sub_package() -> None:
    code = ("import sys, engine; loaded = sorted(m for m in sys.modules if m.startswith('engine.'));"
            "assert not loaded, loaded; assert 'SpiffWorkflow' not in sys.modules and 'sqlalchemy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_import_rules_hold() -> None:
    """web/, diagrams/ use only the facade; engine/, diagrams/ never import Flask; SpiffWorkflow stays in engine/."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if command is None:
        pytest.fail("lint-imports (import-linter, a test dependency) is not installed")
    result = subprocess.run([command, "--config", str(REPO / "setup.cfg")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 kept, 0 broken" in result.stdout


def test_no_engine_module_is_over_300_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in (REPO / "engine").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, f"modules over 300 lines: {long}"
