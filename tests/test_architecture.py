"""The shape of the code: the engine's facade, the import rules, lint and types, module sizes."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine

REPO = Path(__file__).resolve().parents[1]
LINTED = ("engine", "web", "diagrams", "bench", "scripts", "tests")  # what `ruff check` covers
SIZED = ("engine", "web", "diagrams")  # the packages held to 300 lines a module


def _tool(name: str) -> str:
    """The test dependency's command installed beside this Python (else on PATH); fails the test if missing."""
    command = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if command is None:
        pytest.fail(f"{name} (a test dependency in setup.cfg) is not installed")
    return command


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_every_facade_name_resolves() -> None:
    missing = [name for name in engine.__all__ if getattr(engine, name, None) is None]
    assert not missing, f"engine.__all__ names nothing for: {missing}"


def test_the_type_checkers_names_are_the_facades() -> None:
    """The `if TYPE_CHECKING:` imports of engine/__init__.py name exactly what `_EXPORTS` lazily imports."""
    tree = ast.parse((REPO / "engine" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    names = {alias.asname or alias.name for node in ast.walk(guarded) if isinstance(node, ast.ImportFrom)
             for alias in node.names}
    assert names == set(engine.__all__), (names ^ set(engine.__all__))


def test_importing_the_facade_loads_no_sub_package() -> None:
    code = ("import sys, engine; loaded = sorted(m for m in sys.modules if m.startswith('engine.'));"
            "assert not loaded, loaded; assert 'SpiffWorkflow' not in sys.modules and 'sqlalchemy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_import_rules_hold() -> None:
    """web/, diagrams/ use only the facade; engine/, diagrams/ never import Flask; SpiffWorkflow stays in engine/."""
    result = _run(_tool("lint-imports"), str(REPO / "setup.cfg"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 kept, 0 broken" in result.stdout


def test_ruff_finds_nothing() -> None:
    """The rules of pyproject.toml ([tool.ruff]) hold in every Python directory of the repository."""
    result = _run(_tool("ruff"), "check", "--no-cache", *LINTED)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_mypy_finds_nothing() -> None:
    """engine/ type-checks under the [mypy] section of setup.cfg."""
    result = _run(_tool("mypy"), "--config-file", str(REPO / "setup.cfg"))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


def test_no_module_is_over_300_lines() -> None:
    lines = {str(p.relative_to(REPO)): len(p.read_text(encoding="utf-8").splitlines())
             for package in SIZED for p in (REPO / package).rglob("*.py")}
    assert {name.split("/")[0] for name in lines} == set(SIZED)
    long = {name: n for name, n in lines.items() if n > 300}
    assert not long, f"modules over 300 lines: {long}"
