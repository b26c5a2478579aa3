"""A problem found in a model file, printed as `FILE:LINE: ELEMENT_ID: message`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    element_id: str | None
    message: str

    def __str__(self) -> str:
        line = self.line if self.line else 0
        element = self.element_id or "-"
        return f"{self.file}:{line}: {element}: {self.message}"
