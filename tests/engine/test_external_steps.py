"""Service tasks wait as external steps: OneThing calls no connectors, so a clerk or another system answers."""
from __future__ import annotations

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.dryrun import dry_run
from engine.catalog import versions as catalog
from engine.model.loading import load_model
from engine.runtime.sandbox import make_script_engine
from engine.runtime.workflow import CaseRuntime

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <bpmn:process id="invoice" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="finance" name="Finance">
        <bpmn:flowNodeRef>archive</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gate</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="archive" name="Archive the invoice" {implementation} />
    <bpmn:exclusiveGateway id="gate" default="to_end" />
    <bpmn:userTask id="recheck" name="Re-check" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="archive" />
    <bpmn:sequenceFlow id="f2" sourceRef="archive" targetRef="gate" />
    <bpmn:sequenceFlow id="to_recheck" sourceRef="gate" targetRef="recheck">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${!archived}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_end" sourceRef="gate" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="recheck" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
IMPLEMENTATIONS = [
    'camunda:class="org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"',
    'camunda:type="external" camunda:topic="archive-invoice"',
    'camunda:delegateExpression="${archiveService}"',
    "",  # a plain BPMN service task
]


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("archived", [True, False])
def test_a_service_task_waits_for_its_result_which_decides_the_path(implementation, archived):
    model = load_model(MODEL.replace("{implementation}", implementation).encode(), "invoice.bpmn")
    runtime = CaseRuntime.start(model, make_script_engine())
    [step] = runtime.ready_steps()
    assert (step.step_id, step.kind, step.department) == ("archive", "serviceTask", "finance")
    runtime.complete(step.task_id, {"archived": archived})
    assert [s.step_id for s in runtime.ready_steps()] == ([] if archived else ["recheck"])
    assert runtime.is_completed() == archived


def test_an_external_step_is_completed_through_the_use_cases_as_a_connector_would(ctx, tmp_path):
    folder = tmp_path / "invoice"
    folder.mkdir()
    (folder / "after.bpmn").write_text(MODEL.replace("{implementation}", IMPLEMENTATIONS[1]), encoding="utf-8")
    catalog.deploy_path(ctx, folder)
    number = cases.start_case(ctx, "invoice", "after").number
    [ready] = cases.get_case(ctx, number).ready_steps
    assert (ready.step_id, ready.department) == ("archive", "finance")
    view = cases.complete_step(ctx, number, "archive", Actor("finance.system", "clerk", "finance"), {"archived": True})
    assert view.status == "completed"
    log = [(e.step_id, e.event, e.data) for e in cases.step_log(ctx, number) if e.step_id == "archive"]
    assert ("archive", "completed", {"archived": True}) in log


def test_a_zeebe_job_worker_task_in_no_lane_runs_in_a_dry_run(tmp_path):
    text = MODEL.replace("{implementation}", "").replace(
        '<bpmn:serviceTask id="archive" name="Archive the invoice"  />',
        '<bpmn:serviceTask id="archive" name="Archive the invoice"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="archive" /></bpmn:extensionElements></bpmn:serviceTask>')
    text = text.replace("<bpmn:flowNodeRef>archive</bpmn:flowNodeRef>", "")
    path = tmp_path / "invoice.bpmn"
    path.write_text(text, encoding="utf-8")
    assert "zeebe:taskDefinition" in text
    result = dry_run(path, {"archived": True}, auto=True)
    assert (result.status, result.passed) == ("completed", ["archive"])


def test_a_receive_task_that_names_no_message_waits_as_a_step(tmp_path):
    """Flowable and RuoYi models park a case on a bare receiveTask until something triggers it; SpiffWorkflow
    finished it at once (a dry run passed 0 steps)."""
    text = MODEL.replace('<bpmn:serviceTask id="archive" name="Archive the invoice" {implementation} />',
                         '<bpmn:receiveTask id="archive" name="Wait for the archive" />')
    model = load_model(text.encode(), "invoice.bpmn")
    runtime = CaseRuntime.start(model, make_script_engine())
    [step] = runtime.ready_steps()
    assert (step.step_id, step.kind, step.department) == ("archive", "receiveTask", "finance")
    runtime.complete(step.task_id, {"archived": True})
    assert runtime.is_completed()
