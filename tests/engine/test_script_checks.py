"""Checks at upload that a script or timer can never work: refused at its element, while scripts that may run load."""
from __future__ import annotations

import pytest

from engine.model.loading import load_model
from tests.engine.test_loading import _script_model, only, simple


def timer_model(kind: str, body: str) -> str:
    return simple(
        f'    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">'
        f"<bpmn:{kind}>{body}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
        '    <bpmn:endEvent id="end" />\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />\n'
        '    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />'
    )


@pytest.mark.parametrize("script,failure", [
    ("a = 1\nb = a / 0", "line 2 always fails: ZeroDivisionError"),
    ("fee = 'ten' - 1", "line 1 always fails: TypeError"),
    ("n = 7\nm = n % 0", "line 2 always fails: ZeroDivisionError"),
    ("'receipt' + 1", "line 1 always fails: TypeError"),
])
def test_a_script_that_fails_whatever_the_data_is_refused(script, failure):
    problem = only(_script_model(script))
    assert problem.element_id == "share" and failure in problem.message


@pytest.mark.parametrize("script", [
    "stars = '*' * 3",  # string repetition is not worked out in advance
    "big = 999999999 * 999999999",  # a value too large to fold stays unknown
    "a, b = 1, 2",  # only plain names are followed
    "if amount > 1:\n    fee = 1\nelse:\n    fee = 0",  # only straight-line code is followed
    "total = amount + 1",  # task data is unknown at upload
    "a = 1\nb = a + 2\nc = b * 3",
])
def test_a_script_that_may_run_loads(script):
    assert load_model(_script_model(script).encode(), "m.bpmn").process_id == "p"


@pytest.mark.parametrize("kind,body,message", [
    ("timeDate", '"2026-13-45T00:00:00"', "'2026-13-45T00:00:00' is not an ISO 8601 date-time"),
    ("timeDate", "2026-06-01T09:00:00", "timer: 2026-06-01T09:00:00 has no UTC offset"),  # ambiguous
    ("timeDate", "2026-06-01 at nine", "timer: invalid syntax"),  # neither ISO 8601 nor Python
    ("timeCycle", '"every day"', "'every day' is not an ISO 8601 repeating interval"),
])
def test_a_timer_that_cannot_work_is_refused_at_its_event(kind, body, message):
    problem = only(timer_model(kind, body))
    assert problem.element_id == "td" and message in problem.message  # the timer definition


@pytest.mark.parametrize("kind,body", [
    ("timeDate", '"2026-06-01T09:00:00+08:00"'),
    ("timeCycle", '"R3/PT1H"'),
    ("timeCycle", "R3/PT1H"),  # plain ISO 8601, as Camunda and Zeebe models write it
    ("timeCycle", "R3/2026-06-01T09:00:00+08:00/PT1H"),
    ("timeDuration", "'P' + 'T2H'"),  # an expression, worked out when the timer starts
])
def test_a_timer_that_can_work_loads(kind, body):
    assert load_model(timer_model(kind, body).encode(), "m.bpmn").process_id == "p"
