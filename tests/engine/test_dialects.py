"""JUEL and FEEL expressions (Camunda 7, Flowable, Zeebe) and plain ISO 8601 timers: translated, checked, run.

The translation is judged by what it does: each expression is evaluated as Python by the sandbox over task data,
and the answer must be the one the dialect's own semantics give; models with such conditions run through real
SpiffWorkflow and take the branch the data decides.
"""
from __future__ import annotations

import pytest

from engine.errors import ModelError
from engine.model.dialects import Unsupported, dialect_of, to_python
from engine.model.loading import load_model
from engine.runtime.sandbox import make_script_engine
from engine.runtime.sandbox.script_engine import SandboxEnvironment
from engine.runtime.workflow import CaseRuntime

DATA = {"amount": 1500, "approved": True, "x": "A", "y": False, "comment": "", "items": [],
        "applicant": {"age": 17, "name": "王芳"}, "docs": {"id card": "yes"}, "n": 3, "missing": None}


def _value(expression: str):
    python = to_python(expression, dialect_of(expression))
    return SandboxEnvironment(time_limit=1).evaluate(python, dict(DATA))


@pytest.mark.parametrize("expression, expected", [
    ("${amount > 1000}", DATA["amount"] > 1000),
    ("${approved}", DATA["approved"]),
    ("${x == 'A' && y}", DATA["x"] == "A" and DATA["y"]),
    ("${x eq 'A' and not y}", DATA["x"] == "A" and not DATA["y"]),
    ("${!approved || amount le 1500}", (not DATA["approved"]) or DATA["amount"] <= 1500),
    ("${empty comment}", True),
    ("${empty items && !empty x}", True),
    ("${empty missing}", True),
    ("${empty n}", False),
    ("${applicant.age >= 18 ? 'adult' : 'minor'}", "adult" if DATA["applicant"]["age"] >= 18 else "minor"),
    ("${docs['id card'] == \"yes\"}", True),
    ("${execution.getVariable('amount') gt 1000}", DATA["amount"] > 1000),
    ("${(amount - 500) * 2 / 4 mod 7}", ((DATA["amount"] - 500) * 2 / 4) % 7),
    ("#{n div 2 ne 1}", DATA["n"] / 2 != 1),
    ("${-n < 0 && missing == null}", True),
    ("= amount > 1000", DATA["amount"] > 1000),
    ("= approved", DATA["approved"]),
    ('= x = "A" and y = false', DATA["x"] == "A" and DATA["y"] is False),
    ("= not(approved) or amount != 1500", (not DATA["approved"]) or DATA["amount"] != 1500),
    ('= if applicant.age < 18 then "minor" else "adult"', "minor" if DATA["applicant"]["age"] < 18 else "adult"),
    ("= n ** 2 >= 9", DATA["n"] ** 2 >= 9),
])
def test_juel_and_feel_mean_what_they_say(expression, expected):
    assert _value(expression) == expected


@pytest.mark.parametrize("expression, why", [
    ("${foo(1)}", "function calls are not supported"),
    ("${items.size() > 0}", "method calls are not supported"),
    ("${execution.setVariable('a', 1)}", "only execution.getVariable('name')"),
    ("${a = 1}", "compares with =="),
    ("${class == 1}", "Python keyword"),
    ("${1 < n < 3}", "chained comparison"),
    ("${amount > 1} and ${approved}", "several in one text"),
    ("total: ${amount}", "composite expression"),
    ("${a instanceof B}", "instanceof"),
    ("= x in [1, 2]", "'in' is not supported"),
    ("= some i in items satisfies i > 1", "quantifiers"),
    ("${amount >}", "ends too early"),
    ("${amount @ 2}", "unexpected character '@'"),
    ("${$var}", "not a Python name"),
    ("= ", "empty"),
])
def test_what_is_outside_the_subset_is_refused_with_its_reason(expression, why):
    with pytest.raises(Unsupported, match=why.replace("(", r"\(").replace(")", r"\)")):
        to_python(expression, dialect_of(expression))


def test_python_stays_python_and_a_language_attribute_decides_first():
    assert dialect_of("amount > 1000") == "python"
    assert dialect_of("a == 1") == "python"  # '==' at the start is not FEEL's '='
    assert dialect_of("amount > 1000", "FEEL") == "feel"
    assert dialect_of("${a}", "http://java.sun.com/products/jsp/") == "juel"


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://onething/test">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="gate" default="to_small" />
    <bpmn:userTask id="large" name="large" />
    <bpmn:userTask id="small" name="small" />
    <bpmn:endEvent id="end_large" />
    <bpmn:endEvent id="end_small" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gate" />
    <bpmn:sequenceFlow id="to_large" sourceRef="gate" targetRef="large">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"{language}>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gate" targetRef="small" />
    <bpmn:sequenceFlow id="f1" sourceRef="large" targetRef="end_large" />
    <bpmn:sequenceFlow id="f2" sourceRef="small" targetRef="end_small" />
  </bpmn:process>
</bpmn:definitions>
"""


def _gateway(condition: str, language: str = "") -> str:
    attribute = f' language="{language}"' if language else ""
    return HEAD.replace("{language}", attribute).replace("{condition}", condition)


@pytest.mark.parametrize("condition, language", [
    ("${amount &gt; 1000 &amp;&amp; approved}", ""),
    ("= amount &gt; 1000 and approved", ""),
    ("amount &gt; 1000 and approved", "feel"),
    ("amount &gt; 1000 and approved", ""),  # Python
])
@pytest.mark.parametrize("amount", [1500, 200])
def test_a_gateway_with_a_vendor_condition_takes_the_branch_the_data_decides(condition, language, amount):
    model = load_model(_gateway(condition, language).encode(), "gateway.bpmn")
    runtime = CaseRuntime.start(model, make_script_engine(), {"amount": amount, "approved": True})
    assert [step.step_id for step in runtime.ready_steps()] == (["large"] if amount > 1000 else ["small"])


def test_an_unsupported_condition_is_refused_at_its_line_with_the_reason():
    text = _gateway("${approvals.size() &gt; 2}")
    with pytest.raises(ModelError) as caught:
        load_model(text.encode(), "gateway.bpmn")
    [problem] = caught.value.problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "conditionExpression" in row)
    assert (problem.file, problem.line, problem.element_id) == ("gateway.bpmn", line, "to_large")
    assert problem.message == ("condition expression '${approvals.size() > 2}' (JUEL) not supported: method calls "
                               "are not supported (size(...) at column 11)")


def test_a_script_language_other_than_python_juel_or_feel_is_named():
    with pytest.raises(ModelError, match="condition expression in 'groovy' not supported"):
        load_model(_gateway("amount &gt; 1", "groovy").encode(), "gateway.bpmn")


TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">
      <bpmn:{kind}>{body}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after_wait" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after_wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="after_wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("kind, plain, quoted", [
    ("timeDuration", "PT2H", '"PT2H"'),
    ("timeDuration", "P1DT30M", '"P1DT30M"'),
    ("timeDate", "2030-12-01T09:00:00+08:00", '"2030-12-01T09:00:00+08:00"'),
    ("timeCycle", "R3/PT10M", '"R3/PT10M"'),
    ("timeDuration", "${wait}", "wait"),
    ("timeDuration", "= wait", "wait"),
])
def test_plain_iso_and_vendor_timers_wait_as_their_python_twin(kind, plain, quoted):
    due = []
    for body in (plain, quoted):
        model = load_model(TIMER.replace("{kind}", kind).replace("{body}", body).encode(), "timer.bpmn")
        runtime = CaseRuntime.start(model, make_script_engine(), {"wait": "PT2H"})
        due.append([when for _, when in runtime.timers()])
    assert due[0] and len(due[0]) == len(due[1])
    assert all(abs((a - b).total_seconds()) < 5 for a, b in zip(due[0], due[1], strict=True))


def test_a_timer_date_without_offset_is_refused_with_the_fix():
    text = TIMER.replace("{kind}", "timeDate").replace("{body}", "2026-06-01T09:00:00")
    with pytest.raises(ModelError, match=r"timer: 2026-06-01T09:00:00 has no UTC offset; write it with one, "
                                         r"e.g. 2026-06-01T09:00:00\+08:00"):
        load_model(text.encode(), "timer.bpmn")


@pytest.mark.parametrize("body", ["P5WD", '"P5WD"', "p5wd"])
def test_a_working_day_timer_waits_until_the_fifth_working_day_on_chinas_calendar(body):
    from datetime import UTC, datetime, timedelta

    from engine.runtime.clock import SimulatedClock, install_spiff_clock, using_clock
    from engine.runtime.workdays import CHINA

    install_spiff_clock()
    clock = SimulatedClock(datetime(2026, 9, 30, 2, 0, tzinfo=UTC))  # 10:00 in China, the eve of the National Day
    model = load_model(TIMER.replace("{kind}", "timeDuration").replace("{body}", body).encode(), "timer.bpmn")
    with using_clock(clock):
        runtime = CaseRuntime.start(model, make_script_engine(now=clock.now))
        [(_, due)] = runtime.timers()
    import chinese_calendar

    day, left = datetime(2026, 9, 30), 5  # counted here from the package itself, one day at a time
    while left:
        day += timedelta(days=1)
        left -= chinese_calendar.is_workday(day.date())
    assert (day - datetime(2026, 9, 30)).days > 7  # the National Day holiday is not counted
    assert due.astimezone(CHINA).replace(tzinfo=None) == day.replace(hour=10)


def test_working_days_later_refuses_what_is_not_a_number_of_days():
    from engine.runtime.sandbox.workday_timers import working_days_later_from

    later = working_days_later_from(lambda: __import__("datetime").datetime.now(__import__("datetime").UTC))
    for wrong in (-1, 2.5, True, 10_000):
        with pytest.raises(ValueError, match="whole number of days"):
            later(wrong)


MULTI = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="review">
      {loop}
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
CAMUNDA_LOOP = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="{c}" camunda:elementVariable="reviewer" />')
ZEEBE_LOOP = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics '
              'inputCollection="{c}" inputElement="reviewer" /></bpmn:extensionElements>'
              '</bpmn:multiInstanceLoopCharacteristics>')


@pytest.mark.parametrize("loop, collection", [(CAMUNDA_LOOP, "${reviewers}"), (CAMUNDA_LOOP, "reviewers"),
                                              (ZEEBE_LOOP, "= reviewers")])
def test_a_vendor_multi_instance_makes_one_step_per_element_of_its_list(loop, collection):
    reviewers = ["police", "health", "tax"]
    model = load_model(MULTI.replace("{loop}", loop.replace("{c}", collection)).encode(), "multi.bpmn")
    runtime = CaseRuntime.start(model, make_script_engine(), {"reviewers": reviewers})
    ready = [task for task in runtime.workflow.get_tasks() if task.task_spec.bpmn_id == "review"
             and task.data.get("reviewer") is not None]
    assert sorted(task.data["reviewer"] for task in ready) == sorted(reviewers)


def test_a_vendor_collection_that_is_not_one_variable_is_refused():
    text = MULTI.replace("{loop}", CAMUNDA_LOOP.replace("{c}", "${team.members()}"))
    with pytest.raises(ModelError, match=r"multi-instance collection '\$\{team.members\(\)\}' not supported: name one"):
        load_model(text.encode(), "multi.bpmn")
