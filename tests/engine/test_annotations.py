"""Step annotations: parsing durations and the rules check_model enforces, each at the right line and id."""
from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from engine.errors import ModelError
from engine.matters.files import Matter, parse_matter
from engine.model.annotations import Duration, parse_duration, parse_step
from engine.model.loading import load_model
from engine.model.problems import Problem
from tests.corpus import CORPUS


def problems_of(xml: str, matter: Matter | None = None) -> list[Problem]:
    """The problems engine.model.loading.load_model reports for a model (its last stage is check_model)."""
    try:
        load_model(xml.encode(), "m.bpmn", matter=matter)
    except ModelError as exc:
        return exc.problems
    return []


XML = """\
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://example.org">
  <bpmn:process id="demo_after" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="Applicant" name="申请人">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>apply</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="health" name="卫健委">
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:userTask id="apply" name="申请">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="name_en" value="Apply" />
        <spiffworkflow:property name="form" value="f" />
        <spiffworkflow:property name="materials" value="id_card" />
        <spiffworkflow:property name="duration" value="triangular 1h 2h 6h" />
        <spiffworkflow:property name="trip" value="true" />
        <spiffworkflow:property name="time_limit" value="3" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:manualTask id="review" name="审核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="name_en" value="Review" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:startEvent id="start" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply" />
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

MATTER = textwrap.dedent("""\
    id: demo
    names: {zh: 演示, en: Demo}
    category: birth
    departments:
      - {id: health, names: {zh: 卫健委, en: Health}}
    materials:
      - {id: id_card, names: {zh: 身份证, en: ID card}, after: applicant}
    forms:
      f:
        names: {zh: 申请表, en: Application}
        filled_by: applicant
        fields:
          - {name: n, type: text, labels: {zh: 名, en: Name}}
    """)


def demo_matter():
    return parse_matter(MATTER.encode(), Path("demo"), "demo/matter.yaml")


def test_durations_parse_into_working_hours_with_means() -> None:
    assert parse_duration("fixed 4h") == Duration("fixed", (4.0,))
    tri = parse_duration("triangular 1d 2d 5d")
    assert tri.values == (8.0, 16.0, 40.0) and tri.mean_hours == pytest.approx(64 / 3)
    assert parse_duration("uniform 0.5d 12h").mean_days == pytest.approx(1.0)
    rng = random.Random(7)
    samples = [tri.sample(rng) for _ in range(200)]
    assert min(samples) >= 8 and max(samples) <= 40 and len(set(samples)) > 100


@pytest.mark.parametrize("text, words", [
    ("normal 1d", "must start with fixed"), ("fixed 1d 2d", "takes 1 value"), ("uniform 3d 1d", "increasing"),
    ("fixed 2 days", "takes 1 value"), ("fixed 2w", "unit h or d"), ("", "must start with"),
])
def test_malformed_durations_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_duration(text)


def test_a_well_annotated_model_passes_with_its_matter() -> None:
    model = load_model(XML.encode(), "m.bpmn", matter=demo_matter())
    notes = parse_step(model.steps["apply"])
    assert notes.trip and notes.materials == ("id_card",) and notes.form == "f" and notes.time_limit == 3
    assert notes.duration == Duration("triangular", (1.0, 2.0, 6.0))


def line_of(xml: str, text: str) -> int:
    return next(i for i, line in enumerate(xml.splitlines(), 1) if text in line)


@pytest.mark.parametrize("old, new, element, words", [
    ('name="time_limit" value="3"', 'name="time_limit" value="2.5"', "apply", "positive whole number"),
    ('name="time_limit" value="3"', 'name="time_limit" value="0"', "apply", "positive whole number"),
    ('name="trip" value="true"', 'name="trip" value="yes"', "apply", "trip must be true or false"),
    ('value="triangular 1h 2h 6h"', 'value="triangular 6h 2h 1h"', "apply", "increasing order"),
    ('name="trip" value="true"', 'name="trips" value="true"', "apply", "unknown property 'trips'"),
    ('<spiffworkflow:property name="form" value="f" />', "", "apply", "userTask has no form"),
    ('<spiffworkflow:property name="name_en" value="Review" />', '<spiffworkflow:property name="trip" value="false" />',
     "review", "no name_en"),
    ("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "", "review", "outside every lane"),
])
def test_each_annotation_error_is_reported_at_its_step(old: str, new: str, element: str, words: str) -> None:
    xml = XML.replace(old, new)
    assert xml != XML
    problems = problems_of(xml)
    assert len(problems) == 1, problems
    problem = problems[0]
    expected_line = line_of(xml, f'id="{element}"')
    assert (problem.file, problem.line, problem.element_id) == ("m.bpmn", expected_line, element)
    assert words in problem.message
    assert str(problem).startswith(f"m.bpmn:{expected_line}: {element}: ")


@pytest.mark.parametrize("old, new, element, words", [
    ('value="id_card"', 'value="id_card,passport"', "apply", "unknown material 'passport'"),
    ('name="form" value="f"', 'name="form" value="g"', "apply", "unknown form 'g'"),
    # (a lane named as a department of the matter is that department: here a name no department has)
    ('<bpmn:lane id="health" name="卫健委"', '<bpmn:lane id="police" name="公安"', "police",
     "lane 'police' is not a department"),
])
def test_matter_references_are_checked(old: str, new: str, element: str, words: str) -> None:
    xml = XML.replace(old, new)
    problems = problems_of(xml, demo_matter())
    assert [(p.line, p.element_id) for p in problems] == [(line_of(xml, f'id="{element}"'), element)]
    assert words in problems[0].message
    assert problems_of(xml) == []  # without the matter nothing refers to it


def test_files_without_onething_properties_are_not_held_to_its_rules() -> None:
    foreign = XML.replace('name="name_en"', 'name="formJsonSchemaFilename"').replace(
        '<spiffworkflow:property name="form" value="f" />', "")
    for name in ("materials", "duration", "trip", "time_limit"):
        foreign = "\n".join(line for line in foreign.splitlines() if f'name="{name}"' not in line)
    foreign = foreign.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")
    assert problems_of(foreign) == []
    problems = problems_of(foreign, demo_matter())  # with a matter the rules apply
    assert {p.element_id for p in problems} == {"apply", "review"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"BPMN corpus not found at {CORPUS} (shared/, next to the repository)")
def test_foreign_corpus_files_pass_the_annotation_rules() -> None:
    rule_words = ("unknown property", "step has no", "userTask has no", "step is outside", "duration '",
                  "time_limit must", "trip must", "lane '")
    loaded = 0
    for path in sorted(CORPUS.rglob("*.bpmn")):
        try:
            load_model(path.read_bytes(), str(path))
            loaded += 1
        except ModelError as exc:  # other stages may refuse a foreign file; the annotation rules must not
            assert not [p for p in exc.problems if p.message.startswith(rule_words)], path
    assert loaded > 10
