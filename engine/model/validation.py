"""Checks of a parsed BPMN tree that run before and after SpiffWorkflow's parser; each returns Problems.

Stages (see engine/loading.py): XSD, references and supported elements, expressions.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from engine.model.exprcheck import script_always_fails, timer_problem
from engine.model.problems import Problem
from engine.runtime.sandbox import SandboxEnvironment, check_source, max_instances
from engine.text import Text

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
_SHORT = {
    BPMN: "bpmn",
    SPIFF: "spiffworkflow",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
}
FLOW_NODES = (
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
)
# Elements SpiffWorkflow has a parser for that OneThing still refuses (businessRuleTask runs: engine.model.decisions).
NOT_RUNNABLE: dict[str, str] = {}
_PARSER_CLASSES = SpiffBpmnParser()  # only used to ask which tags SpiffWorkflow has a parser for
# lxml schema validators keep their error log on the instance: one validation at a time.
_XSD_LOCK = threading.Lock()


def tag(local: str, ns: str = BPMN) -> str:
    """Clark notation `{ns}local`."""
    return f"{{{ns}}}{local}"


def owner_id(element: Any) -> str | None:
    """The id of the element or of its nearest ancestor that has one."""
    while element is not None:
        if isinstance(element.tag, str) and element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


def short_names(text: str) -> str:
    """Replace `{namespace-uri}` by its usual prefix in a message."""
    for uri, prefix in _SHORT.items():
        text = text.replace(f"{{{uri}}}", f"{prefix}:")
    return text


def _problem(filename: str, element: Any, message: str) -> Problem:
    return Problem(filename, element.sourceline, owner_id(element), message)


def xsd_problems(root: Any, filename: str) -> list[Problem]:
    """Validate against the BPMN 2.0 XSD plus the spiffworkflow extension XSD; one Problem per error."""
    with _XSD_LOCK:
        VALIDATOR.preprocess(root)  # what Spiff does first: bpmn-js writes correlation expressions off-schema
        if VALIDATOR.validator.validate(root):
            return []
        errors = [(e.line, e.message) for e in VALIDATOR.validator.error_log]
    by_line: dict[int, list[Any]] = {}
    for element in root.iter():
        if isinstance(element.tag, str):
            by_line.setdefault(element.sourceline, []).append(element)
    problems = []
    for line, message in errors:
        match = re.match(r"Element '([^']+)'", message)
        candidates = [e for e in by_line.get(line, []) if match and e.tag == match.group(1)]
        element_id = owner_id(candidates[0]) if candidates else None
        text = short_names(message).rstrip(".")
        text = re.sub(r"Expected is one of \((.{150}).*?\)", r"Expected is one of (\1 …)", text)
        problems.append(Problem(filename, line, element_id, Text("not valid BPMN (XSD): %(reason)s", reason=text)))
    return problems


def processes(root: Any) -> list[Any]:
    """The top-level bpmn:process elements of a definitions root."""
    return root.findall(tag("process"))


def is_executable(process: Any) -> bool:
    """SpiffWorkflow's rule: a missing isExecutable counts as true."""
    return process.get("isExecutable", "true") == "true"


def _same_container_ids(container: Any) -> set[str]:
    return {child.get("id") for child in container if isinstance(child.tag, str) and child.get("id")}


def _flow_problems(process: Any, filename: str) -> list[Problem]:
    problems = []
    containers: dict[Any, set[str]] = {}  # once per (sub)process: per flow it made checking quadratic

    def ids_of(container: Any) -> set[str]:
        if container not in containers:
            containers[container] = _same_container_ids(container)
        return containers[container]

    for flow in process.iter(tag("sequenceFlow")):
        ids = ids_of(flow.getparent())
        for attr in ("sourceRef", "targetRef"):
            ref = flow.get(attr)
            if not ref:
                problems.append(_problem(filename, flow, Text("sequence flow has no %(attr)s", attr=attr)))
            elif ref not in ids:
                problems.append(_problem(filename, flow,
                                         Text("sequence flow %(attr)s '%(ref)s' names no element of its (sub)process",
                                              attr=attr, ref=ref)))
    for event in process.iter(tag("boundaryEvent")):
        ref = event.get("attachedToRef")
        if ref and ref not in ids_of(event.getparent()):
            problems.append(_problem(filename, event,
                                     Text("boundary event attachedToRef '%(ref)s' names no activity of its "
                                          "(sub)process", ref=ref)))
    return problems


def _element_problems(process: Any, filename: str) -> list[Problem]:
    problems = []
    for local in FLOW_NODES:
        for node in process.iter(tag(local)):
            parser_class, spec_class = _PARSER_CLASSES._get_parser_class(node.tag)
            if local in NOT_RUNNABLE:
                problems.append(_problem(filename, node, Text("bpmn:%(element)s cannot run: %(reason)s", element=local,
                                                                   reason=NOT_RUNNABLE[local])))
            elif parser_class is None or spec_class is None:
                problems.append(_problem(filename, node, Text("SpiffWorkflow cannot run bpmn:%(element)s elements",
                                                                   element=local)))
    for task in process.iter(tag("scriptTask")):
        problems += [_problem(filename, task, m) for m in _script_task_messages(task)]
    for prop in process.iter(tag("property", SPIFF)):
        if prop.get("name") is None or prop.get("value") is None:
            problems.append(_problem(filename, prop, Text("spiffworkflow:property needs both name and value")))
    return problems


def _script_task_messages(task: Any) -> list[str]:
    script_format = task.get("scriptFormat")
    if script_format and "python" not in script_format.lower():
        return [Text("script format '%(format)s' is not Python", format=script_format)]
    script = task.find(tag("script"))
    if script is None or not (script.text or "").strip():
        return [Text("script task has no inline script")]
    return []


def reference_problems(root: Any, filename: str) -> list[Problem]:
    """Dangling flows, unrunnable elements, bad properties (call targets: `engine.model.calls`)."""
    problems = []
    for process in filter(is_executable, processes(root)):
        problems += _flow_problems(process, filename) + _element_problems(process, filename)
    return problems


_EXPRESSIONS = (
    # (element tag, only when the parent has this tag, mode, what it is)
    (tag("conditionExpression"), None, "eval", "condition"),
    (tag("condition"), tag("conditionalEventDefinition"), "eval", "condition"),
    (tag("script"), tag("scriptTask"), "exec", "script"),
    (tag("preScript", SPIFF), None, "exec", "pre-script"),
    (tag("postScript", SPIFF), None, "exec", "post-script"),
    (tag("timeDuration"), None, "eval", "timer"),
    (tag("timeDate"), None, "eval", "timer"),
    (tag("timeCycle"), None, "eval", "timer"),
    (tag("loopCardinality"), None, "eval", "multi-instance cardinality"),
    (tag("completionCondition"), None, "eval", "completion condition"),
    (tag("loopCondition"), None, "eval", "loop condition"),
    (tag("messagePayload", SPIFF), None, "eval", "message payload"),
    (tag("payloadExpression", SPIFF), None, "eval", "event payload"),
    (tag("expression", SPIFF), tag("processVariableCorrelation", SPIFF), "eval", "correlation"),
    (tag("messagePath"), tag("correlationPropertyRetrievalExpression"), "eval", "correlation"),
    (tag("formalExpression"), tag("correlationPropertyRetrievalExpression"), "eval", "correlation"),
)
_GLOBALS = ("message", "signal", "error", "escalation", "correlationProperty")


def expressions(root: Any) -> Iterator[tuple[Any, str, str, str]]:
    """(element, source, mode, what) for every Python expression or script SpiffWorkflow would run."""
    scopes = [p for p in processes(root) if is_executable(p)]
    scopes += [e for name in _GLOBALS for e in root.findall(tag(name))]
    for scope in scopes:
        for element_tag, parent_tag, mode, what in _EXPRESSIONS:
            for element in scope.iter(element_tag):
                if parent_tag is not None and element.getparent().tag != parent_tag:
                    continue
                if element.text and element.text.strip():
                    yield element, element.text, mode, what


def expression_problems(root: Any, filename: str) -> list[Problem]:
    """Check every condition, script, timer, loop and payload expression through the sandbox rules."""
    problems = []
    for element, source, mode, what in expressions(root):
        message = check_source(source, mode)
        if message is None and what == "timer":
            message = timer_problem(source, etree.QName(element).localname)
        if message is None and mode == "exec":
            message = script_always_fails(source)
        if message is None and what == "multi-instance cardinality":
            message = cardinality_problem(source)
        if message:
            problems.append(_problem(filename, element, f"{what}: {message}"))
    return problems


def cardinality_problem(source: str) -> str | None:
    """A constant cardinality (one that needs no task data) above the limit; others are checked as cases run."""
    try:
        value = SandboxEnvironment(time_limit=0.5).evaluate(source.strip(), {})
    except Exception:  # noqa: BLE001 - it needs task data (or fails, which the case will report): not constant
        return None
    limit = max_instances()
    if isinstance(value, int) and not isinstance(value, bool) and value > limit:
        return f"{value:,} instances, more than the {limit:,} a step may have (ONETHING_MAX_INSTANCES)"
    return None


def line_of(root: Any, element_id: str | None) -> int | None:
    """The source line of the element with this id, if there is one."""
    if not element_id:
        return None
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0].sourceline if found else None


__all__ = [
    "xsd_problems", "reference_problems", "expression_problems", "expressions",
    "processes", "is_executable", "line_of", "owner_id", "tag", "NS", "BPMN", "SPIFF",
]
