"""Multi-instance cardinality is capped: at upload where it is a constant, as the case runs otherwise."""
from __future__ import annotations

import time

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import ModelError
from engine.model.loading import load_model
from engine.runtime.sandbox import make_script_engine

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://t">
  <bpmn:process id="many" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="police" name="公安局">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="核查">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("cardinality", ["5000", "10**9", "10 ** 5"])
def test_a_constant_cardinality_above_the_cap_is_refused_at_upload(cardinality):
    with pytest.raises(ModelError) as caught:
        load_model(MODEL.format(cardinality=cardinality).encode(), "many.bpmn")
    assert "more than the 1,000 a step may have" in str(caught.value)


def test_the_cap_is_configurable(monkeypatch):
    monkeypatch.setenv("ONETHING_MAX_INSTANCES", "10000")
    assert load_model(MODEL.format(cardinality="5000").encode(), "many.bpmn").steps["check"]
    assert load_model(MODEL.format(cardinality="n").encode(), "many.bpmn")  # not a constant: checked at run time


def _workflow(data: dict) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(MODEL.format(cardinality="n").encode(), "many.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("many"), script_engine=make_script_engine(1.0))
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return workflow


def test_a_cardinality_from_task_data_above_the_cap_stops_before_any_instance_exists():
    workflow = _workflow({"n": 10**9})
    started = time.monotonic()
    with pytest.raises(WorkflowTaskException, match="more than the 1,000 instances a step may have"):
        workflow.do_engine_steps()
    assert time.monotonic() - started < 2
    assert len(workflow.get_tasks(state=TaskState.READY)) <= 1
    fine = _workflow({"n": 3})
    fine.do_engine_steps()
    assert len([t for t in fine.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == "check"]) == 3
