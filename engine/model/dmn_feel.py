"""The cells of a DMN decision table as Python for the sandbox: FEEL unary tests, FEEL or Python expressions.

An input entry (a *unary test*) is made a Python condition over the column's input expression, written
inline (`18 <= (age) <= 60`), so the sandbox evaluates it like any other condition. The FEEL subset:

    -  (or empty)        any value
    "A", "B"             one of the listed values (strings, numbers, true/false, null, variables)
    < 5   <= 5  > 5  >= 5   != 5   = 5     comparison with a value
    [1..5]  (1..5)  ]1..5[  [1..5)         ranges, closed or open at either end
    not("x", "y")        none of them

A comparison or range is false on a null input (FEEL's null is never less or greater than anything).
A cell of a table whose expressionLanguage is Python (SpiffWorkflow's DMN) is Python, as SpiffWorkflow reads
it: a value (`'A'`) is compared with `==`, a tail (`> 5`, `in ['a', 'b']`) is appended to the input, and `?`
stands for the input. A FEEL cell outside the subset that is valid Python in that sense is read that way too
(SpiffWorkflow's own behaviour); anything else raises `Unsupported` with the reason, reported by `check`.
"""
from __future__ import annotations

import re

from engine.model.dialects import Unsupported, to_python
from engine.runtime.sandbox import check_source

__all__ = ["expression_python", "unary_python"]

PYTHON_LANGUAGES = {"python", "python3", "http://www.python.org"}
_INTERVAL = re.compile(r"([\[(\]])\s*(.+?)\s*\.\.\s*(.+?)\s*([\])\[])", re.DOTALL)
_COMPARE = re.compile(r"(<=|>=|!=|<|>|=)\s*(.+)", re.DOTALL)
_FEEL_ONLY = re.compile(r"\s*not\s*\(")
_QUESTION = re.compile(r"""\?(?=(?:[^'"]|'[^']*'|"[^"]*")*$)""")


def is_python(language: str | None) -> bool:
    return (language or "").strip().lower() in PYTHON_LANGUAGES


def _split(text: str) -> list[str]:
    """Split at the commas outside quotes, brackets and parentheses."""
    parts, depth, quote, start = [], 0, "", 0
    for at, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[at - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth <= 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _value(text: str) -> str:
    if not text:
        raise Unsupported("an empty value in a list of tests")
    return to_python(text, "feel")


def _positive(test: str, subject: str) -> str:
    interval = _INTERVAL.fullmatch(test)
    if interval:
        opening, low, high, closing = interval.groups()
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing == "]" else "<"
        return f"({subject} is not None and {_value(low)} {low_op} {subject} {high_op} {_value(high)})"
    compare = _COMPARE.fullmatch(test)
    if compare:
        op, value = compare.groups()
        if op == "=":
            return f"{subject} == {_value(value.strip())}"
        if op == "!=":
            return f"{subject} != {_value(value.strip())}"
        return f"({subject} is not None and {subject} {op} {_value(value.strip())})"
    if ".." in test:
        raise Unsupported(f"range {test!r} needs a bracket at each end, e.g. [1..5]")
    value = _value(test)
    return f"{subject} is None" if value == "None" else f"{subject} == {value}"


def _feel_unary(text: str, subject: str) -> str:
    negated = re.fullmatch(r"not\s*\((.*)\)", text, re.DOTALL)
    inner = negated.group(1).strip() if negated else text
    if negated and inner in ("", "-"):
        raise Unsupported("not() needs at least one test")
    tests = [_positive(part, subject) for part in _split(inner)]
    joined = tests[0] if len(tests) == 1 else " or ".join(f"({t})" for t in tests)
    return f"not ({joined})" if negated else f"({joined})"


def _python_unary(text: str, subject: str) -> str:
    if _QUESTION.search(text):
        candidate = _QUESTION.sub(subject, text)
    elif check_source(text, "eval") is None:
        candidate = f"{subject} == ({text})"
    else:
        candidate = f"{subject} {text}"
    message = check_source(candidate, "eval")
    if message:
        raise Unsupported(f"not a Python test: {message}")
    return f"({candidate})"


def unary_python(text: str | None, input_python: str, language: str | None = None) -> str | None:
    """The Python condition of one input entry over the input expression, or None for "any value"."""
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    subject = f"({input_python})"
    if is_python(language):
        return _python_unary(text, subject)
    try:
        candidate = _feel_unary(text, subject)
    except Unsupported as feel_error:
        if _FEEL_ONLY.match(text) or ".." in text:  # FEEL written wrong, not Python: say what FEEL lacks
            raise
        try:
            return _python_unary(text, subject)
        except Unsupported:
            raise feel_error from None
    message = check_source(candidate, "eval")
    if message:
        raise Unsupported(message)
    return candidate


def expression_python(text: str | None, language: str | None = None) -> str | None:
    """An input expression or output entry as Python (FEEL translated, Python kept); None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    if not is_python(language):
        try:
            text = to_python(text, "feel")
        except Unsupported as feel_error:
            if check_source(text, "eval") is not None:
                raise feel_error from None
    message = check_source(text, "eval")
    if message:
        raise Unsupported(message)
    return text
