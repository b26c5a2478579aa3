"""Structural rules of BPMN that Camunda's parser enforces and SpiffWorkflow does not (docs/corpus.md).

SpiffWorkflow accepts these models and then runs them to a wrong end (an event sub-process entered by
a flow, a compensation of nothing "completes"); OneThing refuses them at upload, each with its element.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.model.problems import Problem
from engine.model.validation import FLOW_NODES, _problem, tag
from engine.text import Text

ACTIVITIES = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess")
TIMER_SPECS = ("timeDate", "timeDuration", "timeCycle")
ROOT_REFS = (("messageEventDefinition", "messageRef", "message"),
             ("signalEventDefinition", "signalRef", "signal"),
             ("errorEventDefinition", "errorRef", "error"),
             ("escalationEventDefinition", "escalationRef", "escalation"))


def structure_problems(root: Any, process: Any, filename: str) -> list[Problem]:
    """Every rule below, over one executable process."""
    found: list[Problem] = []
    for rule in (_event_subprocess_flows, _event_subprocess_starts, _defaults, _compensations, _timers,
                 _link_pairs, _unreached):
        found += [_problem(filename, element, message) for element, message in rule(process)]
    found += [_problem(filename, element, message) for element, message in _root_refs(root, process)]
    return found


def _is_event_subprocess(element: Any) -> bool:
    return element.tag == tag("subProcess") and element.get("triggeredByEvent") == "true"


def _event_subprocess_flows(process: Any) -> Iterator[tuple[Any, str]]:
    """An event sub-process starts by its event only: no flow may enter or leave it."""
    for sub in filter(_is_event_subprocess, process.iter(tag("subProcess"))):
        container = sub.getparent()
        for flow in container.findall(tag("sequenceFlow")):
            if sub.get("id") in (flow.get("sourceRef"), flow.get("targetRef")):
                yield flow, Text("sequence flow '%(flow)s' connects event sub-process '%(sub)s': an event "
                                 "sub-process has no incoming or outgoing flows", flow=flow.get("id"),
                                 sub=sub.get("id"))


def _event_subprocess_starts(process: Any) -> Iterator[tuple[Any, str]]:
    """The start event of an event sub-process names its trigger (message, timer, error...)."""
    for sub in filter(_is_event_subprocess, process.iter(tag("subProcess"))):
        starts = sub.findall(tag("startEvent"))
        if len(starts) != 1:
            yield sub, Text("an event sub-process needs exactly one start event (it has %(count)s)", count=len(starts))
        for start in starts:
            if not any(child.tag.endswith("EventDefinition") for child in start if isinstance(child.tag, str)):
                yield start, Text("the start event of an event sub-process needs an event definition (message, "
                                  "timer...)")


def _defaults(process: Any) -> Iterator[tuple[Any, str]]:
    """A default flow is one of the element's own outgoing flows."""
    for local in FLOW_NODES:
        for node in process.iter(tag(local)):
            default = node.get("default")
            if default is None:
                continue
            flows = {f.get("id"): f for f in node.getparent().findall(tag("sequenceFlow"))}
            flow = flows.get(default)
            if flow is None or flow.get("sourceRef") != node.get("id"):
                yield node, Text("default flow '%(flow)s' is not an outgoing sequence flow of '%(element)s'",
                                 flow=default, element=node.get("id"))


def _compensations(process: Any) -> Iterator[tuple[Any, str]]:
    """A compensation names an activity of the process (or none: compensate everything)."""
    activities = {a.get("id") for local in ACTIVITIES for a in process.iter(tag(local))}
    for definition in process.iter(tag("compensateEventDefinition")):
        ref = definition.get("activityRef")
        if ref is not None and ref not in activities:
            yield definition, Text("compensation activityRef '%(ref)s' names no activity of this process", ref=ref)


def _timers(process: Any) -> Iterator[tuple[Any, str]]:
    """A timer says when, one way: a date, a duration or a cycle."""
    for definition in process.iter(tag("timerEventDefinition")):
        given = [local for local in TIMER_SPECS if definition.find(tag(local)) is not None]
        if len(given) != 1:
            what = Text("none") if not given else " and ".join(given)
            yield definition, Text("a timer needs exactly one of timeDate, timeDuration, timeCycle (it has %(what)s)",
                                   what=what)


def _link_pairs(process: Any) -> Iterator[tuple[Any, str]]:
    """A link throw event goes to a link catch event of the same name in the same (sub)process."""
    for container in [process, *process.iter(tag("subProcess"))]:
        catches = {d.get("name") for event in container.findall(tag("intermediateCatchEvent"))
                   for d in event.findall(tag("linkEventDefinition"))}
        for event in container.findall(tag("intermediateThrowEvent")):
            for definition in event.findall(tag("linkEventDefinition")):
                if definition.get("name") not in catches:
                    yield event, Text("link '%(name)s' has no catching link event of that name here",
                                      name=definition.get("name"))


def _root_refs(root: Any, process: Any) -> Iterator[tuple[Any, str]]:
    """A message, signal, error or escalation an event names is declared in the file."""
    for definition_tag, attribute, declared_tag in ROOT_REFS:
        declared = {e.get("id") for e in root.findall(tag(declared_tag))}
        for definition in process.iter(tag(definition_tag)):
            ref = definition.get(attribute)
            if ref is not None and ref not in declared:
                yield definition, Text("%(attribute)s '%(ref)s' names no bpmn:%(element)s of this file",
                                       attribute=attribute, ref=ref, element=declared_tag)


ENTERED_BY_FLOW = (*ACTIVITIES, "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                   "complexGateway", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent")


def _unreached(process: Any) -> Iterator[tuple[Any, str]]:
    """In a (sub)process that starts at a start event, every activity, gateway and end is entered by a flow:
    one that none enters never runs (SpiffWorkflow skips it silently; a modeler leaves it behind when a step
    before it is deleted). A compensation handler, a link's catch event and an event sub-process are entered
    otherwise; an ad-hoc sub-process has no flows."""
    containers = [process, *(s for s in process.iter(tag("subProcess")) if not _is_event_subprocess(s)),
                  *process.iter(tag("transaction"))]
    for container in containers:
        if container.find(tag("startEvent")) is None:
            continue  # BPMN: without a start event, every activity without an incoming flow starts
        entered = {flow.get("targetRef") for flow in container.findall(tag("sequenceFlow"))}
        for local in ENTERED_BY_FLOW:
            for node in container.findall(tag(local)):
                if (node.get("id") in entered or node.get("isForCompensation") == "true"
                        or _is_event_subprocess(node) or node.find(tag("linkEventDefinition")) is not None):
                    continue
                yield node, Text("no sequence flow leads to '%(element)s': it would never run (connect it or "
                                 "remove it)", element=node.get("id"))
