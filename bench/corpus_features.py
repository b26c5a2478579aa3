"""Which of issue #14's items a model file uses: the columns 1-7 of docs/corpus.md and docs/corpus_extra.md.

Read from the XML alone (lxml, no entities, no network), so a refused file says what it uses too:
1 expressions in JUEL (`${...}`, `#{...}`) or FEEL (`= ...`); 2 timers written as plain ISO 8601; 3 vendor
assignment or forms (candidate groups, assignee, form fields); 4 service tasks with a vendor implementation, or
listeners; 5 DMN business rule tasks; 6 call activities whose target is in another file; 7 the structure repairs
(a sequence flow without an id, a lane recognised by its name, `print` in a script).
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

COLUMNS = ("1 expr", "2 timer", "3 assign/form", "4 service/listener", "5 DMN", "6 call", "7 structure")
VENDORS = ("camunda", "flowable", "activiti", "zeebe")
_JUEL = re.compile(r"^\s*[$#]\{")
_ISO = re.compile(r"^\s*(R\d*/)?(P[\dTWYMDHS.]+|\d{4}-\d{2}-\d{2}T)")
_ASSIGN = {"candidateGroups", "candidateUsers", "assignee", "assignmentDefinition", "formField", "formProperty",
           "formKey", "formDefinition", "userTaskForm"}
_SERVICE = {"class", "delegateExpression", "expression", "type", "topic", "taskDefinition"}
_LISTENERS = {"executionListener", "taskListener", "eventListener"}
_APPLICANT_NAMES = {"申请人", "applicant", "citizen"}


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _vendor(name: str) -> bool:
    return any(v in name for v in VENDORS)


def features(path: Path) -> set[str]:
    """The columns this file has something for (empty when it is not readable XML)."""
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (etree.XMLSyntaxError, OSError):
        return set()
    found: set[str] = set()
    processes = {p.get("id") for p in root.iter() if _local(p) == "process"}
    for node in root.iter():
        if not isinstance(node.tag, str):  # comments, processing instructions
            continue
        local, text = _local(node), (node.text or "")
        if local in ("conditionExpression", "loopCardinality", "completionCondition", "timeDuration", "timeDate",
                     "timeCycle") and (_JUEL.match(text) or text.lstrip().startswith("=")):
            found.add(COLUMNS[0])
        if any(_JUEL.match(value) for value in node.attrib.values()):
            found.add(COLUMNS[0])
        if local in ("timeDuration", "timeDate", "timeCycle") and _ISO.match(text):
            found.add(COLUMNS[1])
        namespace = etree.QName(node).namespace or ""
        vendor_attrs = {etree.QName(a).localname for a in node.attrib if _vendor(etree.QName(a).namespace or "")}
        if (vendor_attrs & _ASSIGN) or (_vendor(namespace) and local in _ASSIGN):
            found.add(COLUMNS[2])
        if (local in ("serviceTask", "sendTask") and vendor_attrs & _SERVICE) or (
                _vendor(namespace) and (local in _LISTENERS or local == "taskDefinition")):
            found.add(COLUMNS[3])
        if local == "businessRuleTask":
            found.add(COLUMNS[4])
        if local == "callActivity" and (node.get("calledElement") not in processes or not node.get("calledElement")):
            found.add(COLUMNS[5])
        if (local == "sequenceFlow" and not node.get("id")) or (
                local == "lane" and (node.get("name") or "").strip().lower() in _APPLICANT_NAMES
                and node.get("id") != "Applicant") or (local == "script" and "print(" in text):
            found.add(COLUMNS[6])
    return found


def cells(path: Path, accepted: bool) -> list[str]:
    """One cell per column: ✓ used and accepted, ✗ used and refused, empty when not used."""
    used = features(path)
    return [("✓" if accepted else "✗") if column in used else "" for column in COLUMNS]
