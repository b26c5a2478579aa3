"""Camunda, Flowable, Activiti and Zeebe extensions: what OneThing maps, and a warning for the rest.

Mapped (docs/modeling.md, "Models from Camunda, Flowable and Zeebe"):

- assignment: `camunda:candidateGroups` / `camunda:assignee` (and the flowable: and activiti: ones),
  `zeebe:assignmentDefinition candidateGroups=... assignee=...` name the step's department; a lane wins;
- forms: `camunda:formData` / `flowable:formProperty` / `activiti:formProperty` (engine.model.vendor_forms);
- decisions: `camunda:decisionRef`, `camunda:resultVariable`, `camunda:mapDecisionResult`, `zeebe:calledDecision`
  (engine.model.decisions);
- step properties: `camunda:properties` / `zeebe:properties` name/value pairs, as spiffworkflow:properties
  (`name_en`, `form`, `time_limit`..., docs/modeling.md).

Every other attribute or extension element in those namespaces is listed as a warning, one per element and kind.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from engine.model.problems import Problem, warning
from engine.model.validation import owner_id
from engine.text import Text

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE = "http://flowable.org/bpmn"
ACTIVITI = "http://activiti.org/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
VENDORS = {CAMUNDA: "camunda", FLOWABLE: "flowable", ACTIVITI: "activiti", ZEEBE: "zeebe"}
ASSIGNMENT_ATTRIBUTES = ("candidateGroups", "assignee")
# What OneThing acts on, as (namespace, local name); everything else of VENDORS is a warning. Another stage that
# acts on a vendor attribute or extension element (e.g. the expression translation) adds it here.
MAPPED_ATTRIBUTES = ({(ns, local) for ns in (CAMUNDA, FLOWABLE, ACTIVITI) for local in ASSIGNMENT_ATTRIBUTES}
                     # multi-instance over a list (engine.model.translation.translate_collections)
                     | {(ns, local) for ns in (CAMUNDA, FLOWABLE, ACTIVITI)
                        for local in ("collection", "elementVariable")}
                     # DMN decisions of businessRuleTasks (engine.model.decisions)
                     | {(CAMUNDA, local) for local in ("decisionRef", "resultVariable", "mapDecisionResult")})
MAPPED_ELEMENTS = {(CAMUNDA, "formData"), (FLOWABLE, "formProperty"), (ACTIVITI, "formProperty"),
                   (ZEEBE, "assignmentDefinition"), (ZEEBE, "loopCharacteristics"),
                   (ZEEBE, "calledDecision"),  # engine.model.decisions
                   (CAMUNDA, "properties"), (ZEEBE, "properties")}  # step properties (engine.model.building)
_EXPRESSION_MARKS = ("${", "#{")


def qualified(namespace: str, local: str) -> str:
    """`camunda:formKey` for the Clark name's parts."""
    return f"{VENDORS.get(namespace, namespace)}:{local}"


def _vendor_name(name: str) -> tuple[str, str] | None:
    if not name.startswith("{"):
        return None
    qname = etree.QName(name)
    return (qname.namespace, qname.localname) if qname.namespace in VENDORS else None


def extension_warnings(root: Any, filename: str) -> list[Problem]:
    """A warning for each vendor attribute or extension element OneThing does not act on."""
    found: dict[tuple[str | None, str], Problem] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for element_id, line, what in _unmapped(element):
            message = Text("%(what)s is a vendor extension OneThing does not act on; it is ignored", what=what)
            found.setdefault((element_id, what), warning(filename, line, element_id, message))
    return list(found.values())


def _unmapped(element: Any) -> Iterator[tuple[str | None, int | None, str]]:
    for name in element.attrib:
        vendor = _vendor_name(name)
        if vendor is not None and vendor not in MAPPED_ATTRIBUTES:
            yield owner_id(element), element.sourceline, qualified(*vendor)
    parent = element.getparent()
    vendor = _vendor_name(element.tag)
    if vendor is None or parent is None or etree.QName(parent).localname != "extensionElements":
        return
    if vendor not in MAPPED_ELEMENTS:
        yield owner_id(parent), element.sourceline, qualified(*vendor)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def assignments(node: Any) -> list[tuple[str, str]]:
    """(what, value) of the step's assignments, the one that counts first: `camunda:candidateGroups`..."""
    found = []
    for local in ASSIGNMENT_ATTRIBUTES:
        for namespace in (CAMUNDA, FLOWABLE, ACTIVITI):
            value = node.get(f"{{{namespace}}}{local}")
            if value and value.strip():
                found.append((qualified(namespace, local), value.strip()))
    definition = node.find(f"./{{*}}extensionElements/{{{ZEEBE}}}assignmentDefinition")
    for local in ASSIGNMENT_ATTRIBUTES if definition is not None else ():
        value = definition.get(local)
        if value and value.strip():
            found.append((f"zeebe:assignmentDefinition {local}", value.strip()))
    return found


def assigned_department(node: Any, lane: str | None, departments: set[str] | None) -> tuple[str | None, list[str]]:
    """The step's department from its lane, else from its vendor assignment; and warnings about the assignment.

    `departments`: the matter's department ids (None: no matter, the first group is taken as it is)."""
    found = assignments(node)
    if not found:
        return lane, []
    (what, value), others = found[0], found[1:]
    messages: list[str] = [Text("%(other)s ignored: the step's department comes from %(what)s", other=other,
                                what=what) for other, _ in others]
    if value.startswith("=") or any(mark in value for mark in _EXPRESSION_MARKS):
        return lane, messages + [Text("%(what)s '%(value)s' is an expression: OneThing cannot tell the department "
                                      "before the case runs", what=what, value=value)]
    groups = _split(value)
    known = [g for g in groups if departments is None or g in departments]
    messages += [Text("%(what)s: '%(group)s' is not a department of the matter; ignored", what=what, group=g)
                 for g in groups if g not in known]
    messages += [Text("%(what)s: '%(group)s' ignored, a step has one department ('%(department)s')", what=what,
                      group=g, department=known[0]) for g in known[1:]]
    chosen = known[0] if known else None
    if lane is not None:
        if chosen is not None and chosen != lane:
            messages.append(Text("%(what)s '%(group)s' differs from the step's lane '%(lane)s': the lane wins",
                                 what=what, group=chosen, lane=lane))
        return lane, messages
    return chosen, messages
