"""The third-party BPMN corpus (shared/bpmn-corpus, next to the repository) as the tests see it.

Roles and baseline outcomes are read by bench/corpus_table.py, the same code that writes docs/corpus.md.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "bpmn-corpus"

_spec = importlib.util.spec_from_file_location("corpus_table", REPO / "bench" / "corpus_table.py")
table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(table)


def files_with_role(*roles: str) -> list[Path]:
    """Corpus files whose upstream role (SOURCES.md) is one of `roles`; none when the corpus is absent."""
    if not (CORPUS / "SOURCES.md").is_file():
        return []
    return [CORPUS / name for name, role in sorted(table.roles(CORPUS).items()) if role in roles]


def assert_runs_through_the_engine(path: Path) -> None:
    """`onething run PATH --auto`: the case completes, waits for something outside, or ends in a clean case error
    (one end line, never a traceback)."""
    from click.testing import CliRunner

    from engine.catalog.library import called_paths
    from web.cli import cli

    called = [str(p) for p in called_paths(path, table.beside(path))]  # the files beside it that it calls
    result = CliRunner().invoke(cli, ["run", str(path), *called, "--auto"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    ends = [line for line in result.output.splitlines() if line.startswith(("end: case ", "error: "))]
    assert len(ends) == 1, result.output
    if "error" in ends[0]:
        assert len(ends[0].split("error", 1)[1]) > 10, "a case error must say what failed"
