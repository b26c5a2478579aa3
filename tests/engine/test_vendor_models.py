"""Models from Camunda, Flowable and Zeebe (issue #14, items 3 and 7): what maps, what warns, how lanes are read.

The fixtures in tests/engine/vendor_models/ are written as those modelers write them."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.catalog.library import check_paths
from engine.model.lanes import process_lanes
from engine.model.loading import load_model
from engine.model.metrics import static_metrics
from engine.model.reading import first_applicant_step, step_form
from engine.model.vendor import CAMUNDA, assigned_department
from engine.model.vendor_forms import vendor_form
from engine.vocabulary import APPLICANT
from tests.engine.test_annotations import demo_matter
from web.cli import cli

VENDOR = Path(__file__).resolve().parent / "vendor_models"


def model_of(name: str, matter=None, replace: tuple[str, str] | None = None):
    text = (VENDOR / name).read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    return load_model(text.encode(), name, matter=matter)


def warned(model) -> list[tuple[str | None, str]]:
    return [(w.element_id, w.message) for w in model.warnings]


def test_a_candidate_group_is_the_department_of_a_step_outside_every_lane() -> None:
    model = model_of("camunda_review.bpmn")
    assert model.steps["review"].department == "health" and model.lanes == {}
    assert ("review", "camunda:candidateGroups: 'police' ignored, a step has one department ('health')") \
        in warned(model)


def test_the_first_candidate_group_that_is_a_department_of_the_matter_counts() -> None:
    # (a model checked with its matter also needs OneThing's annotations: the rule is read on the element)
    node = model_of("camunda_review.bpmn").root.find(".//{*}userTask")
    node.set(f"{{{CAMUNDA}}}candidateGroups", "police, health")
    assert assigned_department(node, None, demo_matter().department_ids()) == (
        "health", ["camunda:candidateGroups: 'police' is not a department of the matter; ignored"])
    assert assigned_department(node, "health", {"police"}) == ("health", [
        "camunda:candidateGroups: 'health' is not a department of the matter; ignored",
        "camunda:candidateGroups 'police' differs from the step's lane 'health': the lane wins"])


def test_a_lane_wins_over_a_differing_candidate_group_with_a_warning() -> None:
    model = model_of("flowable_lanes.bpmn")
    assert model.steps["check"].department == "Lane_0x1y2z"
    assert ("check", "flowable:candidateGroups 'police' differs from the step's lane 'Lane_0x1y2z': the lane wins") \
        in warned(model)


def test_zeebe_assignment_definition_and_unresolvable_expressions() -> None:
    model = model_of("zeebe_tasks.bpmn")
    assert model.steps["register"].department == "police"
    assert model.steps["sign"].department is None
    assert ("sign", "camunda:assignee '${approver}' is an expression: OneThing cannot tell the department "
                    "before the case runs") in warned(model)


def test_every_vendor_extension_not_acted_on_is_listed_once_per_element_and_kind() -> None:
    kinds = {(element, message.split(" ", 1)[0]) for element, message in warned(model_of("camunda_review.bpmn"))
             if "does not act on" in message}
    assert kinds == {("camunda_review", "camunda:historyTimeToLive"), ("camunda_review", "camunda:executionListener"),
                     ("review", "camunda:formKey"), ("review", "camunda:taskListener")}
    zeebe = {(element, message.split(" ", 1)[0]) for element, message in warned(model_of("zeebe_tasks.bpmn"))
             if "does not act on" in message}
    assert zeebe == {("register", "zeebe:formDefinition"), ("register", "zeebe:ioMapping"),
                     ("notify", "zeebe:taskDefinition")}
    twice = model_of("zeebe_tasks.bpmn", replace=("<zeebe:input source", '<zeebe:input source="=b" target="b" />'
                                                  "<zeebe:input source"))
    assert len(twice.warnings) == len(model_of("zeebe_tasks.bpmn").warnings)


def test_camunda_form_fields_become_the_steps_form() -> None:
    model = model_of("camunda_review.bpmn")
    form = step_form(model, None, "review")
    assert form is not None and form.id == "review" and form.filled_by == "clerk"
    assert [(f.name, f.type, f.required) for f in form.fields] == [
        ("applicant_name", "text", True), ("age", "integer", False), ("married", "boolean", False),
        ("born", "date", False), ("outcome", "choice", False)]
    assert [c.value for c in form.fields[-1].choices] == ["approve", "reject"]
    assert form.fields[0].labels.en == "Name"
    assert ("review", "form field 'applicant_name': constraint 'maxlength' is not acted on") in warned(model)


def test_flowable_form_properties_become_the_applicants_form() -> None:
    model = model_of("flowable_lanes.bpmn")
    form = step_form(model, None, "apply")
    assert form is not None and form.filled_by == "applicant"
    assert [(f.name, f.type, f.required) for f in form.fields] == [
        ("child", "text", True), ("weight", "number", False), ("delivery", "choice", True)]
    assert [(c.value, c.labels.en) for c in form.fields[2].choices] == [
        ("hospital", "In hospital"), ("home", "At home")]


def test_a_form_property_wins_over_vendor_form_fields() -> None:
    model = model_of("flowable_lanes.bpmn")
    step = replace(model.steps["apply"], properties={"form": "f"})
    form, warnings = vendor_form(model.root.find(".//{*}userTask"), step, "flowable_lanes.bpmn")
    assert form is None and [w.message for w in warnings] == [
        "the vendor form fields are ignored: the step's form property names form 'f'"]


@pytest.mark.parametrize("lane", [
    '<lane id="lane_applicant" name="Applicant">',
    '<lane id="lane_applicant" name=" citizen ">',
    '<lane id="lane_applicant" name="申请人（群众）">',
    '<lane id="Applicant" name="窗口">',
    '<lane id="lane_applicant" name="窗口"><extensionElements><spiffworkflow:properties xmlns:spiffworkflow='
    '"http://spiffworkflow.org/bpmn/schema/1.0/core"><spiffworkflow:property name="applicant" value="true" />'
    "</spiffworkflow:properties></extensionElements>",
])
def test_the_applicants_lane_is_known_by_its_id_name_or_property(lane: str) -> None:
    model = model_of("flowable_lanes.bpmn", replace=('<lane id="lane_applicant" name="Applicant">', lane))
    assert model.steps["apply"].department == APPLICANT and first_applicant_step(model) == "apply"
    metrics = static_metrics(model)
    assert (metrics["steps"], metrics["applicant_steps"], metrics["departments"]) == (2, 1, 1)


def test_an_unrecognised_applicant_lane_counts_as_one_department_more() -> None:
    model = model_of("flowable_lanes.bpmn", replace=('name="Applicant"', 'name="窗口"'))
    metrics = static_metrics(model)
    assert (metrics["applicant_steps"], metrics["departments"]) == (0, 2)


def test_a_department_lane_is_known_by_its_name_in_matter_yaml() -> None:
    matter = demo_matter()
    model = model_of("flowable_lanes.bpmn")
    lanes, lane_of = process_lanes(model.root.find("{*}process"), matter)
    assert lanes == {APPLICANT: "Applicant", "health": " 卫健委 "} and lane_of["check"] == "health"
    assert process_lanes(model.root.find("{*}process"))[1]["check"] == "Lane_0x1y2z"  # without the matter
    metrics = static_metrics(model, matter)
    assert (metrics["applicant_steps"], metrics["departments"]) == (1, 1)


def test_flows_without_an_id_get_stable_ids_and_a_warning() -> None:
    first, second = model_of("flows_without_ids.bpmn"), model_of("flows_without_ids.bpmn")
    ids = [f.get("id") for f in first.root.iter("{*}sequenceFlow")]
    assert len(set(ids)) == 5 and all(i.startswith("Flow_") and len(i) == 13 for i in ids)
    assert ids == [f.get("id") for f in second.root.iter("{*}sequenceFlow")]
    assert [w.element_id for w in first.warnings] == ids
    assert first.steps["apply"].department == APPLICANT and static_metrics(first)["steps"] == 2


def test_check_lists_warnings_after_a_pass_and_strict_fails_on_them() -> None:
    path = VENDOR / "zeebe_tasks.bpmn"
    result = CliRunner().invoke(cli, ["check", str(path)])
    lines = result.output.splitlines()
    assert result.exit_code == 0 and lines[-1] == "1 file(s) OK" and len(lines) == 5
    assert all(line.startswith(f"{path}:") and ": warning: " in line for line in lines[:-1])
    assert lines[0].startswith(f"{path}:15: sign: warning: camunda:assignee")
    strict = CliRunner().invoke(cli, ["check", "--strict", str(path)])
    assert strict.exit_code == 1 and "file(s) OK" not in strict.output
    assert [line for line in strict.output.splitlines() if ": warning: " in line] == lines[:-1]
    assert check_paths([str(path)]) == []  # without warnings: only what fails a model


def test_a_model_without_vendor_extensions_has_no_warnings() -> None:
    model = load_model((VENDOR.parent / "models" / "parallel.bpmn").read_bytes(), "parallel.bpmn")
    assert model.warnings == () and model.forms == {}


def test_a_second_assignment_of_a_step_is_a_warning_too() -> None:
    model = model_of("zeebe_tasks.bpmn", replace=('<bpmn:userTask id="register" name="登记">',
                                                  '<bpmn:userTask id="register" name="登记" camunda:assignee="li">'))
    assert model.steps["register"].department == "li"
    assert ("register", "zeebe:assignmentDefinition candidateGroups ignored: the step's department comes from "
                        "camunda:assignee") in warned(model)


def test_what_a_vendor_form_field_says_beyond_its_type_and_required_flag_is_a_warning() -> None:
    model = model_of("flowable_lanes.bpmn", replace=(
        '<flowable:formProperty id="weight" name="Weight" type="double" />',
        '<flowable:formProperty id="weight" name="Weight" type="double" readable="false" datePattern="x" />'))
    assert [m for e, m in warned(model) if e == "apply"] == [
        "form field 'weight': 'datePattern' is not acted on", "form field 'weight': 'readable' is not acted on"]
