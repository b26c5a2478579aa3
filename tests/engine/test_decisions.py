"""DMN decision tables (issue #14 item 5): FEEL unary tests as sandbox Python, every hit policy through a real
SpiffWorkflow run, check problems with their lines, deploying DMN with a model, and newborn's eligibility table
in a case on SQLite and PostgreSQL."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.cases.driving import drive_case
from engine.cases.lifecycle import start_case
from engine.catalog.versions import deploy_path, loaded_version
from engine.errors import ModelError
from engine.model.decisions import dmn_files_beside
from engine.model.dialects import Unsupported
from engine.model.dmn_feel import unary_python
from engine.model.loading import load_model
from engine.runtime.sandbox import SandboxEnvironment, make_script_engine
from engine.store.tables import ModelVersion

PROCESSES = Path(__file__).resolve().parents[2] / "processes"

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:businessRuleTask id="decide" name="Decide" {how}>
      {extension}
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
SPIFF = ('', '<bpmn:extensionElements><spiffworkflow:calledDecisionId>grade</spiffworkflow:calledDecisionId>'
             '</bpmn:extensionElements>')

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="grade" name="Grade">
    <decisionTable id="t" hitPolicy="{policy}" {aggregation}>
      <input id="i1" label="Age"><inputExpression id="e1" typeRef="number"><text>age</text></inputExpression></input>
      <input id="i2" label="Kind"><inputExpression id="e2" typeRef="string"><text>kind</text></inputExpression></input>
      <output id="o1" name="result" typeRef="{out_type}" />
      <rule id="r1"><inputEntry id="a1"><text>&lt; 18</text></inputEntry><inputEntry id="b1"><text>-</text></inputEntry>
        <outputEntry id="c1"><text>{out1}</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a2"><text>[18..65[</text></inputEntry><inputEntry id="b2"><text>"A","B"</text>
        </inputEntry><outputEntry id="c2"><text>{out2}</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="a3"><text>&gt;= 10</text></inputEntry><inputEntry id="b3"><text>not("C")</text>
        </inputEntry><outputEntry id="c3"><text>{out3}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""
WORDS = {"out_type": "string", "out1": '"minor"', "out2": '"adult AB"', "out3": '"ten plus"', "aggregation": ""}


def dmn(policy: str, **words: str) -> bytes:
    return DMN.format(policy=policy, **{**WORDS, **words}).encode()


def model(dmn_bytes: bytes, how: str = 'camunda:decisionRef="grade"', extension: str = ""):
    return load_model(BPMN.format(how=how, extension=extension).encode(), "t.bpmn", decisions={"t.dmn": dmn_bytes})


def run(loaded, data: dict) -> dict:
    workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=make_script_engine())
    workflow.get_tasks()[0].data.update(data)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    return workflow.data


def problems(dmn_bytes: bytes, **kwargs: str) -> list[str]:
    with pytest.raises(ModelError) as caught:
        model(dmn_bytes, **kwargs)
    return [str(p) for p in caught.value.problems]


def matches(test: str, value: object, language: str | None = None) -> bool:
    python = unary_python(test, "x", language)
    return True if python is None else bool(SandboxEnvironment(isolate=False).evaluate(python, {"x": value}))


@pytest.mark.parametrize("test,value,expected", [
    ('"A","B"', "A", True), ('"A","B"', "B", True), ('"A","B"', "C", False), ('"a,b"', "a,b", True),
    ("< 5", 4, True), ("< 5", 5, False), ("<= 5", 5, True), ("> 5", None, False), (">= 2.5", 2.5, True),
    ("[1..5]", 1, True), ("[1..5]", 5, True), ("]1..5[", 1, False), ("]1..5[", 5, False), ("[1..5)", 4.9, True),
    ("[1..5]", None, False), ("-", None, True), ("", "anything", True),
    ('not("x")', "x", False), ('not("x")', "y", True), ('not("x", "y")', "y", False), ("not(< 5)", 7, True),
    ("42", 42, True), ("42", 41, False), ("true", True, True), ("false", True, False), ("null", None, True),
    ("= 3", 3, True), ("!= 3", 3, False), ("< 5, > 10", 12, True), ("< 5, > 10", 7, False),
])
def test_feel_unary_tests_mean_what_feel_says(test, value, expected):
    assert matches(test, value) is expected


@pytest.mark.parametrize("test,value,expected", [
    ("'A'", "A", True), ("> 5", 6, True), ("in ['a', 'b']", "b", True), ("in ['a', 'b']", "c", False),
    ("? % 2 == 0", 4, True), ("? % 2 == 0", 3, False),
])
def test_python_cells_are_read_as_spiffworkflow_reads_them(test, value, expected):
    assert matches(test, value, "python") is expected


@pytest.mark.parametrize("test", ["instance of string", "1..5", "[a..]", "some y in z satisfies y > 1", "not()"])
def test_cells_outside_the_subset_are_refused_with_a_reason(test):
    with pytest.raises(Unsupported) as caught:
        unary_python(test, "x")
    assert str(caught.value)


@pytest.mark.parametrize("policy,data,expected", [
    ("FIRST", {"age": 30, "kind": "A"}, "adult AB"), ("FIRST", {"age": 12, "kind": "C"}, "minor"),
    ("COLLECT", {"age": 30, "kind": "A"}, ["adult AB", "ten plus"]), ("COLLECT", {"age": 70, "kind": "C"}, []),
    ("RULE ORDER", {"age": 12, "kind": "A"}, ["minor", "ten plus"]),
])
def test_hit_policies_through_a_real_run(policy, data, expected):
    assert run(model(dmn(policy)), data)["result"] == expected


def test_first_with_no_match_leaves_the_data_alone():
    assert "result" not in run(model(dmn("FIRST")), {"age": 70, "kind": "C"})


@pytest.mark.parametrize("aggregation,expected", [("SUM", 111), ("COUNT", 2), ("MIN", 11), ("MAX", 100)])
def test_collect_aggregates(aggregation, expected):
    table = dmn("COLLECT", aggregation=f'aggregation="{aggregation}"', out_type="number", out1="1", out2="11",
                out3="100")
    assert run(model(table), {"age": 30, "kind": "A"})["result"] == expected


def test_unique_with_two_matching_rules_is_a_case_error_naming_them():
    # rule 3 compares with a variable, so check cannot tell that it overlaps rule 2: the run does
    loaded = model(dmn("UNIQUE").replace(b"&gt;= 10", b"&gt;= age").replace(b'not("C")', b'"A"'))
    assert run(loaded, {"age": 30, "kind": "B"})["result"] == "adult AB"
    with pytest.raises(WorkflowTaskException) as caught:
        run(loaded, {"age": 30, "kind": "A"})
    text = str(caught.value) + " ".join(getattr(caught.value, "__notes__", []))
    assert "hit policy UNIQUE, but rules 2 (line 10), 3 (line 12) all match" in text, text


def test_spiffworkflow_and_camunda_result_variable_styles():
    assert run(model(dmn("FIRST"), how="", extension=SPIFF[1]), {"age": 5, "kind": "A"})["result"] == "minor"
    camunda = 'camunda:decisionRef="grade" camunda:resultVariable="{var}" camunda:mapDecisionResult="{how}"'
    data = {"age": 30, "kind": "A"}
    assert run(model(dmn("COLLECT"), how=camunda.format(var="r", how="collectEntries")), data)["r"] == [
        "adult AB", "ten plus"]
    assert run(model(dmn("FIRST"), how=camunda.format(var="r", how="singleEntry")), data)["r"] == "adult AB"
    assert run(model(dmn("COLLECT"), how=camunda.format(var="r", how="resultList")), data)["r"] == [
        {"result": "adult AB"}, {"result": "ten plus"}]


def test_a_missing_decision_names_the_id_and_the_files_searched():
    found = problems(dmn("FIRST"), how='camunda:decisionRef="nowhere"')
    assert found == ["t.bpmn:8: decide: decision 'nowhere' not found in the DMN files (searched: t.dmn)"]


def test_a_bad_table_is_reported_cell_by_cell_with_lines():
    table = (dmn("PRIORITY", out_type="money").replace(b'<text>"A","B"</text>', b'<text>instance of string</text>')
             .replace(b'<outputEntry id="c3"><text>"ten plus"</text></outputEntry>', b""))
    found = problems(table)
    assert any(p.startswith("t.dmn:4: grade: hit policy PRIORITY not supported") for p in found), found
    assert any(p.startswith("t.dmn:7: o1: typeRef 'money'") for p in found), found
    assert any(p.startswith("t.dmn:10: r2: inputEntry 'instance of string' not supported") for p in found), found
    assert any(p.startswith("t.dmn:12: r3: rule 3 has 2 input and 0 output entries") for p in found), found


def test_unique_tables_with_overlapping_rules_are_refused_by_check():
    found = problems(dmn("UNIQUE"))
    assert found == ["t.dmn:4: grade: hit policy UNIQUE, but rules 1 (line 8) and 3 (line 12) both match some input",
                     "t.dmn:4: grade: hit policy UNIQUE, but rules 2 (line 10) and 3 (line 12) both match some input"]
    disjoint = dmn("UNIQUE").replace(b"&gt;= 10", b"&gt;= 65")
    assert run(model(disjoint), {"age": 70, "kind": "A"})["result"] == "ten plus"


def test_deploy_stores_the_dmn_and_a_changed_table_is_a_new_version(ctx, tmp_path):
    matter = tmp_path / "newborn"
    shutil.copytree(PROCESSES / "newborn", matter)
    shutil.copytree(PROCESSES / "shared", tmp_path / "shared")  # the police sub-process newborn calls
    first = {d.variant: d for d in deploy_path(ctx, matter)}
    with ctx.read() as session:
        row = session.get(ModelVersion, _version_id(ctx, "after", first["after"].version))
        assert "maternity_allowance_eligibility" in row.decision_tables
        assert loaded_version(ctx, session, row.id)[0].decision_files == ("newborn/maternity_allowance.dmn",)
        before = session.get(ModelVersion, _version_id(ctx, "before", first["before"].version))
        assert before.decision_tables is None
    assert {d.status for d in deploy_path(ctx, matter)} == {"unchanged"}
    table = matter / "maternity_allowance.dmn"
    table.write_text(table.read_text(encoding="utf-8").replace('"resident_medical_insurance"', '"resident"'),
                     encoding="utf-8")
    again = {d.variant: d for d in deploy_path(ctx, matter)}
    assert again["after"].status == "new" and again["after"].version == first["after"].version + 1
    assert again["before"].status == "unchanged"


def _version_id(ctx, variant: str, version: int) -> int:
    from sqlalchemy import select

    with ctx.read() as session:
        return session.scalar(select(ModelVersion.id).where(
            ModelVersion.matter_id == "newborn", ModelVersion.variant == variant, ModelVersion.version == version))


@pytest.mark.parametrize("employer,granted,route", [
    ("西宁市某某科技有限公司", True, "employee_maternity_insurance"), ("", False, "resident_medical_insurance")])
def test_a_newborn_case_runs_through_the_eligibility_table(ctx, employer, granted, route):
    deploy_path(ctx, PROCESSES / "newborn")
    number = start_case(ctx, "newborn", "after").number
    driven = drive_case(ctx, number, {"employer_name": employer})
    assert driven.view.status == "completed"
    assert driven.view.data["maternity_allowance_granted"] is granted
    assert driven.view.data["maternity_allowance_route"] == route


MODELS = Path(__file__).resolve().parent / "models"


@pytest.mark.parametrize("amount,category,groups", [
    (30, "Misc", ["accounting", "sales"]), (600, "Misc", ["management"]), (5000, "Misc", ["management"]),
    (10, "Travel Expenses", ["accounting", "sales"]), (10, "Other", []),
])
def test_a_camunda_invoice_drd_runs_its_required_decision_first(amount, category, groups):
    path = MODELS / "invoice.bpmn"
    loaded = load_model(path.read_bytes(), str(path), decisions=dmn_files_beside(path))
    assert loaded.decision_files == (str(MODELS / "invoice.dmn"),)
    assert run(loaded, {"amount": amount, "invoiceCategory": category})["approverGroups"] == groups


def test_zeebe_called_decision_and_hit_policy_any():
    zeebe = ('<bpmn:extensionElements><zeebe:calledDecision xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
             'decisionId="grade" resultVariable="grade_result" /></bpmn:extensionElements>')
    table = dmn("ANY", out1='"same"', out2='"same"', out3='"same"')
    assert run(model(table, how="", extension=zeebe), {"age": 12, "kind": "A"})["grade_result"] == "same"
    differing = model(dmn("ANY"), how="", extension=zeebe)
    with pytest.raises(WorkflowTaskException, match="hit policy ANY, but matching rules 1, 3 give different"):
        run(differing, {"age": 12, "kind": "A"})
