"""A problem found in a model file, printed as `FILE:LINE: ELEMENT_ID: message`.

A problem is an error (the model is refused) unless its severity is "warning": then the model loads,
and `Model.warnings` lists it (`FILE:LINE: ELEMENT_ID: warning: message`), e.g. a vendor extension
OneThing does not act on. `onething check --strict` treats warnings as errors.
"""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    element_id: str | None
    message: str
    severity: str = ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def __str__(self) -> str:
        line = self.line if self.line else 0
        element = self.element_id or "-"
        prefix = "warning: " if self.is_warning else ""
        return f"{self.file}:{line}: {element}: {prefix}{self.message}"


def warning(file: str, line: int | None, element_id: str | None, message: str) -> Problem:
    """A warning: the model loads, and `check` lists it."""
    return Problem(file, line, element_id, message, WARNING)
