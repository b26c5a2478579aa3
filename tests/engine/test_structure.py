"""Structural rules Camunda's parser enforces and SpiffWorkflow does not: each refused at upload, with its element."""
from __future__ import annotations

import pytest

from engine.errors import ModelError
from engine.model.loading import load_model

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://t">
  {roots}
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="办理">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    {extra}
  </bpmn:process>
</bpmn:definitions>
"""
EVENT_SUB = """<bpmn:subProcess id="on_message" triggeredByEvent="true">
      <bpmn:startEvent id="sub_start" {interrupting}><bpmn:outgoing>s1</bpmn:outgoing>{definition}</bpmn:startEvent>
      <bpmn:endEvent id="sub_end"><bpmn:incoming>s1</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="sub_end" />
    </bpmn:subProcess>"""
MESSAGE = '<bpmn:messageEventDefinition id="m1" messageRef="msg" />'
ROOTS = '<bpmn:message id="msg" name="notice" />'

CASES = [
    ("event sub-process entered by a flow",
     EVENT_SUB.format(interrupting="", definition=MESSAGE)
     + '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="on_message" />', ROOTS,
     "an event sub-process has no incoming or outgoing flows"),
    ("event sub-process started by nothing", EVENT_SUB.format(interrupting="", definition=""), ROOTS,
     "the start event of an event sub-process needs an event definition"),
    ("compensation of nothing",
     '<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition id="c1" activityRef="no_such_task" />'
     "</bpmn:intermediateThrowEvent>", "", "compensation activityRef 'no_such_task' names no activity"),
    ("timer that says nothing",  # two specifications are refused by the XSD already
     '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition id="t1" />'
     "</bpmn:boundaryEvent>", "", "a timer needs exactly one of timeDate, timeDuration, timeCycle (it has none)"),
    ("link thrown to no catch",
     '<bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition id="l1" name="elsewhere" />'
     "</bpmn:intermediateThrowEvent>", "", "link 'elsewhere' has no catching link event"),
    ("message never declared",
     '<bpmn:boundaryEvent id="told" attachedToRef="work">'
     '<bpmn:messageEventDefinition id="m2" messageRef="undeclared" /></bpmn:boundaryEvent>', "",
     "messageRef 'undeclared' names no bpmn:message of this file"),
]


@pytest.mark.parametrize(("extra", "roots", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_structural_mistake_is_refused_with_its_element(extra, roots, message):
    with pytest.raises(ModelError) as caught:
        load_model(TEMPLATE.format(extra=extra, roots=roots).encode(), "rules.bpmn")
    messages = [p.message for p in caught.value.problems]
    assert any(message in m for m in messages), messages
    assert all(p.line for p in caught.value.problems)


def test_a_default_flow_must_leave_its_gateway():
    xml = TEMPLATE.format(roots="", extra="").replace(
        '<bpmn:userTask id="work" name="办理">', '<bpmn:userTask id="work" name="办理" default="f1">')
    with pytest.raises(ModelError, match="default flow 'f1' is not an outgoing sequence flow of 'work'"):
        load_model(xml.encode(), "rules.bpmn")


def test_the_same_shapes_done_right_load():
    right = EVENT_SUB.format(interrupting="", definition=MESSAGE)
    assert load_model(TEMPLATE.format(extra=right, roots=ROOTS).encode(), "rules.bpmn").steps["work"]
