"""drive_case: a case moved on to its end through the use cases, steps, messages and timers included."""
from __future__ import annotations

from pathlib import Path

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case, step_data
from engine.catalog import versions as catalog

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
HOME = {"delivery": "home", "child": "A"}


def test_a_deployed_matter_is_driven_to_completion_by_its_clerks(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    number = cases.start_case(ctx, "newborn", "after").number
    events: list[str] = []
    driven = drive_case(ctx, number, on_event=events.append)
    assert driven.view.status == "completed" and not driven.view.ready_steps
    done = [e for e in cases.step_log(ctx, number) if e.event == "completed"]
    assert [e.step_id for e in done] == driven.passed and len(driven.passed) >= 2
    for entry in done:
        assert entry.actor == ("applicant" if entry.department == "Applicant" else f"clerk.{entry.department}")
    assert sum(line.endswith("completed") for line in events) == len(driven.passed)


def test_steps_get_the_given_data_over_their_form_examples(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    number = cases.start_case(ctx, "newborn", "after").number
    driven = drive_case(ctx, number, {"mother_name": "王敏"}, rounds=1)
    assert len(driven.passed) == 1 and driven.view.data["mother_name"] == "王敏"
    with ctx.read() as session:
        model, matter = catalog.loaded_version(ctx, session, catalog.current_version(session, "newborn", "after").id)
    examples = step_data(model, matter, driven.passed[0], None)
    assert {k: v for k, v in driven.view.data.items() if k in examples and k != "mother_name"} == \
        {k: v for k, v in examples.items() if k != "mother_name"}


def test_messages_and_timers_are_delivered_and_fired_on_the_simulated_clock(ctx, deployed, clock):
    number = cases.start_case(ctx, deployed.matter_id, deployed.variant).number
    started = clock.now()
    events: list[str] = []
    driven = drive_case(ctx, number, HOME, on_event=events.append)
    assert driven.view.status == "completed"
    assert driven.passed[0] == "apply" and "check_home" in driven.passed and driven.passed[-1] == "collect"
    assert "message health_result delivered" in events and any(e.startswith("timer fired") for e in events)
    assert (clock.now() - started).days >= 2  # the two-day timer was waited for on the simulated clock


def test_driving_stops_where_it_is_told(ctx, deployed):
    number = cases.start_case(ctx, deployed.matter_id, deployed.variant).number
    assert drive_case(ctx, number, HOME, before_each=lambda: False).passed == []
    one = drive_case(ctx, number, HOME, rounds=1)
    assert one.passed == ["apply"] and one.view.status == "running"
    assert {s.step_id for s in one.view.ready_steps} == {"check_home", "certify"}
    last = drive_case(ctx, number, HOME, rounds=1, pick=lambda items: items[-1])
    assert last.passed == [one.view.ready_steps[-1].step_id]


NO_LANES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="Review" />
    <bpmn:userTask id="approve" name="Approve" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="approve" />
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_model_drawn_without_lanes_runs_to_its_end(tmp_path):
    """Steps outside every lane belong to no department: `onething run --auto` works them as OneThing itself
    (it reported 'no case' for the very case it had just started)."""
    from engine.cases.dryrun import dry_run

    path = tmp_path / "approval.bpmn"
    path.write_text(NO_LANES, encoding="utf-8")
    result = dry_run(path, auto=True)
    assert (result.status, result.error, result.passed) == ("completed", None, ["review", "approve"])
