"""Pairs of rules of a UNIQUE table that match the same input, found where it can be told without running them.

A cell is read as literal values (`"A","B"`, `5`, `true`), number ranges (`< 5`, `[1..5]`, `]1..5[`) or the
negation of literal values (`not("A")`); `-` is any value. Two rules overlap when every column's cells meet.
A cell with a variable, an expression or Python is not judged: that pair is not reported.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class _Range:
    low: float
    low_closed: bool
    high: float
    high_closed: bool

    def has(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        above = value > self.low or (self.low_closed and value == self.low)
        below = value < self.high or (self.high_closed and value == self.high)
        return above and below

    def meets(self, other: _Range) -> bool:
        low, low_open = max((self.low, not self.low_closed), (other.low, not other.low_closed))
        high, high_closed = min((self.high, self.high_closed), (other.high, other.high_closed))
        return low < high or (low == high and not low_open and high_closed)


class _Unknown(Exception):
    pass


def _literal(text: str) -> Any:
    if _NUMBER.fullmatch(text):
        return float(text)
    if _STRING.fullmatch(text):
        return _STRING.fullmatch(text).group(1)  # type: ignore[union-attr]
    if text in _LITERALS:
        return _LITERALS[text]
    raise _Unknown(text)


def _atom(text: str) -> Any:
    ranged = re.fullmatch(r"([\[(\]])\s*(\S+?)\s*\.\.\s*(\S+?)\s*([\])\[])", text)
    if ranged:
        low, high = _literal(ranged.group(2)), _literal(ranged.group(3))
        if not all(isinstance(v, float) for v in (low, high)):
            raise _Unknown(text)
        return _Range(low, ranged.group(1) == "[", high, ranged.group(4) == "]")
    compare = re.fullmatch(r"(<=|>=|<|>)\s*(\S+)", text)
    if compare:
        bound = _literal(compare.group(2))
        if not isinstance(bound, float):
            raise _Unknown(text)
        op = compare.group(1)
        if op.startswith("<"):
            return _Range(-math.inf, False, bound, op == "<=")
        return _Range(bound, op == ">=", math.inf, False)
    return _literal(text.strip())


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", text)]


def _cell(text: str) -> tuple[str, list[Any]]:
    """("any", []), ("in", atoms) or ("not", literal values)."""
    text = text.strip()
    if text in ("", "-"):
        return "any", []
    negated = re.fullmatch(r"not\s*\((.*)\)", text)
    if negated:
        values = [_literal(part) for part in _split(negated.group(1))]
        return "not", values
    return "in", [_atom(part) for part in _split(text)]


def _atoms_meet(a: Any, b: Any) -> bool:
    if isinstance(a, _Range) and isinstance(b, _Range):
        return a.meets(b)
    if isinstance(a, _Range):
        return a.has(b)
    if isinstance(b, _Range):
        return b.has(a)
    return bool(a == b and type(a) is type(b))


def _cells_meet(a: tuple[str, list[Any]], b: tuple[str, list[Any]]) -> bool:
    (kind_a, atoms_a), (kind_b, atoms_b) = a, b
    if "any" in (kind_a, kind_b) or kind_a == kind_b == "not":
        return True
    if kind_a == "not":
        return any(not any(_atoms_meet(x, y) for y in atoms_a) or isinstance(x, _Range) for x in atoms_b)
    if kind_b == "not":
        return _cells_meet(b, a)
    return any(_atoms_meet(x, y) for x in atoms_a for y in atoms_b)


def overlapping_rules(rules: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """(first, second) for every pair of rules (with `.texts`) that surely match a common input."""
    parsed = []
    for rule in rules:
        try:
            parsed.append((rule, [_cell(text) for text in rule.texts]))
        except _Unknown:
            continue
    for (first, cells_a), (second, cells_b) in combinations(parsed, 2):
        if len(cells_a) == len(cells_b) and all(_cells_meet(x, y) for x, y in zip(cells_a, cells_b, strict=False)):
            yield first, second
