"""Expressions written for other engines, made Python before SpiffWorkflow parses the model.

JUEL and FEEL conditions, timers and loop expressions become the Python of `engine.model.dialects`; a timer
written as a plain ISO 8601 value (`PT2H`, `R3/PT10M`, `2026-12-01T09:00:00+08:00`) becomes that value in quotes.
A working-day duration (`P5WD`, China's official calendar) becomes a date timer at the same time of day on the
fifth working day after today (`working_days_later(5)`, a builtin of the sandbox). The tree is rewritten in
place (the stored file keeps what the modeler wrote); anything outside the subset is a problem at the
element's line: `FILE:LINE: ID: condition expression '${f(x)}' (JUEL) not supported: <why>`.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

from engine.model import validation as v
from engine.model.dialects import FEEL_LANGUAGES, JUEL_LANGUAGES, Unsupported, dialect_of, to_python
from engine.model.problems import Problem
from engine.text import Text

_DATE_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
_ZONED = rf"{_DATE_TIME}(Z|[+-]\d{{2}}:?\d{{2}})"
_DURATION = r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_ISO = re.compile(rf"R\d*/({_ZONED}/)?{_DURATION}|{_DURATION}|{_ZONED}", re.IGNORECASE)
_NAIVE = re.compile(_DATE_TIME)
_WORKING_DAYS = re.compile(r"""(["']?)P(\d{1,4})WD\1""", re.IGNORECASE)
_PYTHON = {"", "python", "python3", "http://www.python.org"}


def translate_expressions(root: Any, filename: str) -> list[Problem]:
    """Rewrite every JUEL/FEEL expression and plain ISO 8601 timer of `root` into Python; problems for the rest."""
    problems = []
    for element, source, mode, what in list(v.expressions(root)):
        if mode != "eval":
            continue  # scripts are Python (their scriptFormat is checked with the elements)
        text = source.strip()
        working_days = _WORKING_DAYS.fullmatch(text)
        if working_days and etree.QName(element).localname == "timeDuration":
            element.tag = v.tag("timeDate")  # a point in time: the N-th working day after today, on China's calendar
            element.text = f"working_days_later({int(working_days.group(2))})"
            continue
        if what == "timer" and _ISO.fullmatch(text):
            element.text = repr(text)
            continue
        if what == "timer" and _NAIVE.fullmatch(text):
            problems.append(Problem(filename, element.sourceline, v.owner_id(element),
                                    Text("timer: %(value)s has no UTC offset; write it with one, e.g. %(value)s+08:00",
                                         value=text)))
            continue
        language = (element.get("language") or "").strip()
        if language.lower() not in _PYTHON | FEEL_LANGUAGES | JUEL_LANGUAGES:
            problems.append(Problem(filename, element.sourceline, v.owner_id(element), Text(
                "%(what)s expression in '%(language)s' not supported: write it in Python, JUEL (${...}) or "
                "FEEL (= ...)", what=what, language=language)))
            continue
        dialect = dialect_of(source, language)
        if dialect == "python":
            continue
        try:
            element.text = to_python(source, dialect)
        except Unsupported as exc:
            problems.append(Problem(filename, element.sourceline, v.owner_id(element),
                                    Text("%(what)s expression '%(text)s' (%(dialect)s) not supported: %(why)s",
                                         what=what, text=_short(text), dialect=dialect.upper(), why=str(exc))))
    return problems


VENDORS = ("http://camunda.org/schema/1.0/bpmn", "http://flowable.org/bpmn", "http://activiti.org/bpmn")
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def translate_collections(root: Any, filename: str) -> list[Problem]:
    """Multi-instance over a list named in a vendor extension (`camunda:collection="${reviewers}"` with
    `camunda:elementVariable="reviewer"`, Flowable's and Activiti's alike, Zeebe's `zeebe:loopCharacteristics
    inputCollection="= reviewers" inputElement="reviewer"`) as BPMN's own loopDataInputRef and inputDataItem."""
    problems = []
    for loop in root.iter(v.tag("multiInstanceLoopCharacteristics")):
        collection, element = _vendor_collection(loop)
        if collection is None:
            continue
        if loop.find(v.tag("loopDataInputRef")) is not None or loop.find(v.tag("loopCardinality")) is not None:
            continue  # BPMN's own elements say it already
        name = _variable_of(collection)
        if name is None:
            problems.append(Problem(filename, loop.sourceline, v.owner_id(loop), Text(
                "multi-instance collection '%(collection)s' not supported: name one variable holding the list, e.g. "
                "${reviewers} or = reviewers", collection=collection)))
            continue
        at = 1 if len(loop) and etree.QName(loop[0]).localname == "extensionElements" else 0
        ref = etree.Element(v.tag("loopDataInputRef"))
        ref.text = name
        loop.insert(at, ref)
        if element:
            item = etree.Element(v.tag("inputDataItem"), id=element, name=element)
            loop.insert(at + 1, item)
    return problems


def _vendor_collection(loop: Any) -> tuple[str | None, str | None]:
    for ns in VENDORS:
        if loop.get(f"{{{ns}}}collection") is not None:
            return loop.get(f"{{{ns}}}collection"), loop.get(f"{{{ns}}}elementVariable")
    zeebe = loop.find(f"{v.tag('extensionElements')}/{{{ZEEBE}}}loopCharacteristics")
    if zeebe is not None and zeebe.get("inputCollection"):
        return zeebe.get("inputCollection"), zeebe.get("inputElement")
    return None, None


def _variable_of(expression: str) -> str | None:
    """The variable a collection expression names (`${list}`, `#{list}`, `= list`, `list`), or None."""
    text = expression.strip()
    if dialect_of(text) != "python":
        try:
            text = to_python(text, dialect_of(text))
        except Unsupported:
            return None
    return text if _NAME.fullmatch(text) else None


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
