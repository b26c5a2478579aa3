"""Read DMN files into checked decision tables whose every cell is sandbox Python (`engine.model.dmn_feel`).

Any DMN version (1.1 to 1.5: the namespace is not looked at), any number of decisions per file. Problems, each
at its line: not a decision table, a hit policy or aggregation OneThing does not run, an unknown typeRef, a rule
with more or fewer entries than the table has columns, an output without a name, a cell outside the FEEL subset,
and, in a UNIQUE table, two rules that match the same input (`engine.model.dmn_overlap`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.errors import ModelError
from engine.model.dialects import Unsupported
from engine.model.dmn_feel import expression_python, unary_python
from engine.model.dmn_overlap import overlapping_rules
from engine.model.problems import Problem
from engine.model.xmlsafe import parse_xml
from engine.text import Text

HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "COLLECT", "RULE ORDER")
AGGREGATIONS = ("SUM", "COUNT", "MIN", "MAX")
TYPE_REFS = {"", "string", "boolean", "number", "integer", "long", "double", "int", "float", "date", "time",
             "datetime", "dayTimeDuration".lower(), "yearMonthDuration".lower(), "any", "feel:string",
             "feel:boolean", "feel:number", "feel:date", "feel:time", "feel:datetime"}
KNOWN_TYPES = "string, boolean, number, integer, long, double, date, dateTime, time"  # as messages name them
_OUTPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class TableRule:
    """One row: its tests (None: any value), output expressions (None: no value), and the raw input texts."""

    id: str
    number: int  # 1-based row number, as the modeler sees it
    line: int | None
    tests: tuple[str | None, ...]
    outputs: tuple[str | None, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """One decision table of a DMN file, every cell sandbox Python."""

    id: str
    name: str
    filename: str
    line: int | None
    hit_policy: str
    aggregation: str | None
    inputs: tuple[str, ...]  # Python of each input expression
    outputs: tuple[str, ...]  # output names (dots: nested data)
    rules: tuple[TableRule, ...]
    required: tuple[str, ...]  # decisions whose results this one reads (DRD informationRequirement)


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: Any, local: str) -> list[Any]:
    return [child for child in element if _local(child) == local]


def _text(element: Any | None) -> str:
    if element is None:
        return ""
    found = _children(element, "text")
    return (found[0].text or "") if found else ""


class _Reader:
    def __init__(self, filename: str, language: str | None) -> None:
        self.filename, self.language = filename, language
        self.problems: list[Problem] = []

    def problem(self, element: Any, element_id: str | None, message: Text) -> None:
        self.problems.append(Problem(self.filename, element.sourceline, element_id, message))

    def type_ref(self, element: Any, owner: str, type_ref: str | None) -> None:
        if (type_ref or "").strip().lower() not in TYPE_REFS:
            self.problem(element, owner, Text("typeRef %(type)s is not a DMN type OneThing knows (%(known)s)",
                                              type=repr(type_ref), known=KNOWN_TYPES))

    def cell(self, element: Any, owner: str, convert: Any) -> Any:
        language = element.get("expressionLanguage") or self.language
        try:
            return convert(language)
        except Unsupported as exc:
            text = " ".join(_text(element).split())
            self.problem(element, owner, Text("%(element)s %(text)s not supported: %(why)s", element=_local(element),
                                              text=repr(text), why=str(exc)))
            return None

    def inputs(self, table: Any, decision_id: str) -> list[str]:
        found = []
        for column in _children(table, "input"):
            expression = (_children(column, "inputExpression") or [None])[0]
            owner = column.get("id") or decision_id
            if expression is None or not _text(expression).strip():
                self.problem(column, owner, Text("input column has no input expression"))
                found.append("None")
                continue
            self.type_ref(expression, owner, expression.get("typeRef"))
            found.append(self.cell(expression, owner,
                                   lambda lang, e=expression: expression_python(_text(e), lang)) or "None")
        return found

    def outputs(self, table: Any, decision_id: str) -> list[str]:
        found = []
        for column in _children(table, "output"):
            name = column.get("name") or column.get("label") or ""
            self.type_ref(column, column.get("id") or decision_id, column.get("typeRef"))
            if not _OUTPUT_NAME.fullmatch(name):
                self.problem(column, column.get("id") or decision_id,
                             Text("output column needs a name that is a variable name (got %(name)s)", name=repr(name)))
            found.append(name)
        return found

    def rule(self, row: Any, number: int, inputs: list[str], width: int) -> TableRule:
        rule_id = row.get("id") or f"rule {number}"
        entries, outputs = _children(row, "inputEntry"), _children(row, "outputEntry")
        if len(entries) != len(inputs) or len(outputs) != width:
            self.problem(row, rule_id, Text("rule %(number)s has %(inputs)s input and %(outputs)s output entries; the "
                                            "table has %(columns_in)s input and %(columns_out)s output columns",
                                            number=number, inputs=len(entries), outputs=len(outputs),
                                            columns_in=len(inputs), columns_out=width))
        tests = tuple(self.cell(entry, rule_id, lambda lang, e=entry, i=i: unary_python(_text(e), i, lang))
                      for entry, i in zip(entries, inputs, strict=False))
        values = tuple(self.cell(entry, rule_id, lambda lang, e=entry: expression_python(_text(e), lang))
                       for entry in outputs)
        texts = tuple(" ".join(_text(entry).split()) for entry in entries)
        return TableRule(rule_id, number, row.sourceline, tests, values, texts)

    def decision(self, element: Any) -> Decision | None:
        decision_id = element.get("id") or ""
        tables = _children(element, "decisionTable")
        if len(tables) != 1:
            self.problem(element, decision_id, Text("decision is not a decision table (literal expressions, boxed "
                                                    "contexts and the like are not supported)"))
            return None
        table = tables[0]
        policy = " ".join((table.get("hitPolicy") or "UNIQUE").upper().replace("_", " ").split())
        aggregation = (table.get("aggregation") or "").upper() or None
        if policy not in HIT_POLICIES:
            self.problem(table, decision_id, Text("hit policy %(policy)s not supported (OneThing runs %(known)s)",
                                                  policy=policy, known=", ".join(HIT_POLICIES)))
        if aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
            self.problem(table, decision_id, Text("aggregation %(aggregation)s not supported: only COLLECT tables "
                                                  "aggregate, by %(known)s", aggregation=aggregation,
                                                  known=", ".join(AGGREGATIONS)))
        inputs, outputs = self.inputs(table, decision_id), self.outputs(table, decision_id)
        rules = tuple(self.rule(row, n, inputs, len(outputs)) for n, row in enumerate(_children(table, "rule"), 1))
        required = tuple((ref.get("href") or "").lstrip("#") for req in _children(element, "informationRequirement")
                         for ref in _children(req, "requiredDecision"))
        decision = Decision(decision_id, element.get("name") or decision_id, self.filename, element.sourceline,
                            policy, aggregation, tuple(inputs), tuple(outputs), rules, required)
        if policy == "UNIQUE":
            for first, second in overlapping_rules(rules):
                self.problem(table, decision_id, Text(
                    "hit policy UNIQUE, but rules %(first)s (line %(first_line)s) and %(second)s (line "
                    "%(second_line)s) both match some input", first=first.number, first_line=first.line,
                    second=second.number, second_line=second.line))
        return decision


def read_decisions(data: bytes, filename: str) -> tuple[dict[str, Decision], list[Problem]]:
    """The decisions of one DMN file by id, and every problem found in it."""
    try:
        root = parse_xml(data, filename)
    except ModelError as exc:
        return {}, list(exc.problems)
    if _local(root) != "definitions":
        return {}, [Problem(filename, root.sourceline, None,
                            Text("not a DMN file: the root element is not definitions"))]
    reader = _Reader(filename, root.get("expressionLanguage"))
    decisions = {}
    for element in _children(root, "decision"):
        decision = reader.decision(element)
        if decision is not None:
            decisions[decision.id] = decision
    if not decisions and not reader.problems:
        reader.problem(root, None, Text("no decision in this DMN file"))
    return decisions, reader.problems
