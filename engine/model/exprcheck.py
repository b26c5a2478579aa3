"""Static checks of expressions beyond the sandbox's rules: timer values, scripts that can never succeed."""
from __future__ import annotations

import ast
import operator
import re
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as _Timer

_ISO_LIKE = re.compile(r"R\d*/\S+|P(T?\d[\dYMWDTHS.,]*)|\d{4}-\d{2}-\d{2}T\S*", re.IGNORECASE)
_TIMER_PARSERS = {
    "timeDuration": ("ISO 8601 duration", lambda s: s.upper().startswith("P") and _Timer.parse_iso_duration(s)),
    "timeDate": ("ISO 8601 date-time", _Timer.parse_time_or_duration),
    "timeCycle": ("ISO 8601 repeating interval",
                  lambda s: s.upper().startswith("R") and _Timer.parse_iso_recurring_interval(s)),
}


def timer_problem(source: str, kind: str) -> str | None:
    """Why a timer body (a Python expression giving an ISO 8601 string) cannot work, or None."""
    text = source.strip()
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = None
    if isinstance(value, str):
        what, parse = _TIMER_PARSERS.get(kind, _TIMER_PARSERS["timeDate"])
        try:
            if parse(value) is False:
                return f"'{value}' is not an {what}"
        except Exception:  # Spiff's parsers raise bare Exception, ValueError, AttributeError...
            return f"'{value}' is not an {what}"
        return None
    if _ISO_LIKE.fullmatch(text):
        return f"timer bodies are Python expressions: write the ISO 8601 value in quotes, e.g. \"{text}\""
    return None


_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_UNKNOWN = object()
_SMALL = 10**9


def _small(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, (int, float)):
        return abs(value) < _SMALL
    return isinstance(value, str) and len(value) < 10_000


def _fold(node: ast.AST, known: dict[str, Any]) -> Any:
    """Value of a constant expression over known names, or _UNKNOWN; raises what Python would."""
    if isinstance(node, ast.Constant) and _small(node.value):
        return node.value
    if isinstance(node, ast.Name):
        return known.get(node.id, _UNKNOWN)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _fold(node.left, known), _fold(node.right, known)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        if isinstance(node.op, ast.Mult) and (isinstance(left, str) or isinstance(right, str)):
            return _UNKNOWN  # string repetition: cheap to refuse, expensive to compute
        result = _BINOPS[type(node.op)](left, right)
        return result if _small(result) else _UNKNOWN
    return _UNKNOWN


def script_always_fails(source: str) -> str | None:
    """Why a script fails whatever the task data (e.g. `a = 1; b = a + 'x'`), or None if it may run.

    Only straight-line assignments of constants are followed; anything else stops the check.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # the sandbox reports syntax
    known: dict[str, Any] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            value_node, targets = statement.value, statement.targets
        elif isinstance(statement, ast.Expr):
            value_node, targets = statement.value, []
        else:
            return None
        try:
            value = _fold(value_node, known)
        except (TypeError, ZeroDivisionError, ValueError, OverflowError) as exc:
            return f"line {statement.lineno} always fails: {type(exc).__name__}: {exc}"
        for target in targets:
            if isinstance(target, ast.Name):
                known[target.id] = value
            else:
                return None
        known = {k: v for k, v in known.items() if v is not _UNKNOWN}
    return None
