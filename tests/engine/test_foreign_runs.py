"""Models from other engines run as their users expect (issue #14 item 8): `run --auto` says what it invents, JUEL
names the sandbox refuses in Python still read the case variable, multi-instance expressions see Camunda's
counters, and the narrow repairs (print-only Groovy, a repeated identical dataObject) are warned about."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.autodata import field_value, fill_form
from engine.cases.dryrun import dry_run
from engine.catalog import versions as catalog
from engine.errors import ModelError, OneThingError
from engine.matters.files import Choice, Form, FormField, Names
from engine.matters.forms import validate_form
from engine.model.dialects import to_python
from engine.model.loading import load_model
from engine.runtime.sandbox import SandboxEnvironment, check_source
from web.cli import cli

EXTRA = Path(__file__).resolve().parents[1] / "corpus_extra"
ACTIVITI = EXTRA / "Activiti__Activiti/activiti-examples/activiti-api-basic-process-example/src/main/resources/" \
                   "processes/categorize-content.bpmn20.xml"
CAMUNDA = EXTRA / "camunda__camunda-bpm-platform/engine/src/test/resources/org/camunda/bpm/engine/test/bpmn"
RUOYI_LOOPS = EXTRA / "YunaiV__ruoyi-vue-pro/yudao-module-bpm/src/test/resources/bpmn/multi-instance" \
                      "/user-task.bpmn20.xml"
VACATION = EXTRA / "flowable__flowable-examples/spring-boot-example/src/main/resources/processes" \
                   "/VacationRequest.bpmn20.xml"


def test_run_auto_prints_every_value_it_invents_and_a_real_case_still_fails_on_the_undefined_variable() -> None:
    result = CliRunner().invoke(cli, ["run", str(ACTIVITI), "--auto"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "auto: invented approved = True (condition of SequenceFlow_0tsc63v; no form provides it)"
    assert lines[-1].endswith(" completed")
    started = CliRunner().invoke(cli, ["run", str(ACTIVITI)])  # without --auto nothing is invented
    assert "invented" not in started.output and " running" in started.output


def test_run_auto_data_from_the_user_wins_and_the_invented_value_leaves_a_loop() -> None:
    result = CliRunner().invoke(cli, ["run", str(VACATION), "--auto"])
    assert "auto: invented vacationApproved = 'Approve' (condition of flow3" in result.output
    assert "auto: invented resendRequest = 'No'" in result.output  # 'Yes' would loop back to handleRequest
    assert result.output.splitlines()[-1].endswith(" completed")
    given = CliRunner().invoke(cli, ["run", str(ACTIVITI), "--auto", "--data", '{"approved": false}'])
    assert "invented approved" not in given.output and given.output.splitlines()[-1].endswith(" completed")


def test_an_undefined_variable_in_a_real_case_is_a_case_error_naming_it(ctx) -> None:
    deployed = catalog.deploy_path(ctx, ACTIVITI)[0]
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    done = cases.complete_step(ctx, view.number, view.ready_steps[0].task_id, Actor.system(), {})
    assert done.status == "error" and "name 'approved' is not defined" in (done.error or "")


def test_a_multi_instance_loop_over_a_missing_list_names_the_element_and_the_variable() -> None:
    with pytest.raises(OneThingError) as failed:
        dry_run(RUOYI_LOOPS)
    assert failed.value.message.endswith("multiAny-task: multi-instance collection 'coll_userList' is not in the "
                                         "case data; give it a list (or set it in an earlier step)")


def test_a_completion_condition_reads_camundas_instance_counters() -> None:
    """cardinality 4, ${nrOfCompletedInstances == 3}: three instances of the two-task sub-process run, as in
    Camunda's own MultiInstanceTest.testSequentialSubProcessCompletionCondition."""
    result = dry_run(CAMUNDA / "multiinstance/MultiInstanceTest.testSequentialSubProcessCompletionCondition.bpmn20.xml",
                     auto=True)
    assert result.status == "completed"
    assert sorted(result.passed) == ["subProcessTask1"] * 3 + ["subProcessTask2"] * 3


def test_juel_names_python_code_may_not_use_read_the_case_variable_through_the_accessor() -> None:
    python = to_python("${input > 1 && _x == 'a'}", "juel")
    assert python == "((case_variable('input') > 1) and (case_variable('_x') == 'a'))"
    env = SandboxEnvironment(isolate=False)
    assert env.evaluate(python, {"input": 2, "_x": "a"}) is True
    with pytest.raises(NameError, match="'input' is not defined"):
        env.evaluate(python, {"_x": "a"})
    assert check_source("input > 1", "eval") == "'input' is not allowed"  # Python code: still refused
    assert env.evaluate("case_variable('__builtins__')", {"__builtins__": 1, "a": 1}) == 1  # only the data dict
    with pytest.raises(NameError):
        env.evaluate("case_variable('len')", {})  # never a builtin or global
    path = CAMUNDA / "gateway/ExclusiveGatewayTest.testDivergingExclusiveGateway.bpmn20.xml"
    assert dry_run(path, data={"input": 3}, auto=True).status == "completed"


def test_auto_form_values_pass_the_fields_validation() -> None:
    fields = (FormField("kind", "choice", True, Names("k", "k"), choices=(Choice("b", Names("b", "b")),
                                                                           Choice("a", Names("a", "a")))),
              FormField("ok", "boolean", True, Names("o", "o")),
              FormField("count", "integer", True, Names("c", "c"), min=3, max=9),
              FormField("share", "number", False, Names("s", "s"), max=0.5),
              FormField("code", "text", True, Names("t", "t"), max_length=3),
              FormField("given", "text", True, Names("g", "g"), example="from the matter"))
    form = Form("f", Names("f", "f"), "clerk", fields)
    values, invented = fill_form(form, {"ok": False}, "2026-01-05")
    assert values == {"kind": "b", "ok": False, "count": 3, "share": 0.5, "code": "exa", "given": "from the matter"}
    assert set(invented) == {"kind", "count", "share", "code"}
    assert validate_form(form, values) == values
    assert field_value(FormField("id", "resident_id", True, Names("i", "i")), "2026-01-05") is None


GROOVY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:scriptTask id="hello" scriptFormat="groovy"><bpmn:script>SCRIPT</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="hello" />
    <bpmn:sequenceFlow id="f2" sourceRef="hello" targetRef="e" />
    DATA
  </bpmn:process>
</bpmn:definitions>"""


def _groovy(script: str, data: str = "") -> bytes:
    return GROOVY.replace("SCRIPT", script).replace("DATA", data).encode()


def test_a_groovy_script_that_only_prints_runs_as_python_print_and_any_other_stays_refused(tmp_path) -> None:
    model = load_model(_groovy("println 'hello world'\nprint(\"done\");"), "hello.bpmn")
    assert [w.message for w in model.warnings] == ["groovy script that only prints text runs as Python print()"]
    path = tmp_path / "hello.bpmn"
    path.write_bytes(_groovy("println 'hello world'"))
    assert dry_run(path, auto=True).status == "completed"
    for script in ("println 'a' + x", "def x = 1\nprintln x", 'println "hi ${name}"', "execution.setVariable('a', 1)"):
        with pytest.raises(ModelError) as refused:
            load_model(_groovy(script), "other.bpmn")
        assert [p.message for p in refused.value.problems] == ["script format 'groovy' is not Python"], script


def test_an_identical_repeated_data_object_is_dropped_with_a_warning_and_a_different_one_is_refused() -> None:
    twice = '<bpmn:dataObject id="seen" /><bpmn:dataObject id="seen" />'
    model = load_model(_groovy("println 'x'", twice), "twice.bpmn")
    assert "data object 'seen' is declared twice, identically; the repeat is ignored" in [
        w.message for w in model.warnings]
    with pytest.raises(ModelError) as refused:
        load_model(_groovy("println 'x'", '<bpmn:dataObject id="seen" /><bpmn:dataObject id="seen" name="b" />'),
                   "different.bpmn")
    assert "XSD" in refused.value.problems[0].message


GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:scriptTask id="add" scriptFormat="python"><bpmn:script>total = 1
u += 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="g" />
    <bpmn:endEvent id="e1" /><bpmn:endEvent id="e2" /><bpmn:endEvent id="e3" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="add" />
    <bpmn:sequenceFlow id="f2" sourceRef="add" targetRef="g" />
    <bpmn:sequenceFlow id="big" sourceRef="g" targetRef="e1">
      <bpmn:conditionExpression>${day &gt; 3 &amp;&amp; 10 &gt; size}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="none" sourceRef="g" targetRef="e2">
      <bpmn:conditionExpression>${note == null &amp;&amp; total &lt; u}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flag" sourceRef="g" targetRef="e3">
      <bpmn:conditionExpression>${!urgent}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def test_invented_start_values_make_each_comparison_hold_and_skip_what_a_script_sets() -> None:
    from datetime import UTC, datetime

    from engine.cases.autodata import invent_case_data

    model = load_model(GATEWAY.encode(), "gateway.bpmn")
    values, where = invent_case_data(model, [], {"urgent": False}, datetime(2026, 1, 5, tzinfo=UTC))
    # total is set by the script; u is read by `u += 1` before it is set; urgent comes from --data
    assert values == {"day": 4, "size": 9, "note": "example", "u": True}
    assert where["day"] == "condition of big"
