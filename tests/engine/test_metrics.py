"""Static metrics along the expected path, on small hand-made BPMN models."""
from __future__ import annotations

import re
import textwrap
from itertools import pairwise
from pathlib import Path

import pytest

from engine.catalog.library import library_of
from engine.matters.files import load_matter, parse_matter
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.model.metrics import METRIC_KEYS, compare, static_metrics
from engine.model.types import Model

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://example.org">
"""


def step(step_id: str, kind: str = "userTask", **props: str) -> str:
    """A step element with OneThing properties (name_en and, on userTasks, form filled in)."""
    props.setdefault("name_en", step_id)
    if kind == "userTask":
        props.setdefault("form", "f")
    body = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in props.items())
    ext = ("<bpmn:extensionElements><spiffworkflow:properties>"
           f"{body}</spiffworkflow:properties></bpmn:extensionElements>")
    return f'<bpmn:{kind} id="{step_id}" name="{step_id}">{ext}</bpmn:{kind}>'


def flows(*chain: str, condition: str | None = None) -> str:
    """Sequence flows a->b->c...; an id is src_dst."""
    cond = f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>' if condition else ""
    return "".join(f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}">{cond}</bpmn:sequenceFlow>'
                   for a, b in pairwise(chain))


def process(pid: str, body: str, lanes: dict[str, list[str]] | None = None) -> str:
    """A process; without `lanes` every flow node goes into one lane, `office`."""
    if lanes is None:
        lanes = {"office": [i for i in re.findall(r'<bpmn:(?!sequenceFlow)\w+ id="(\w+)"', body)]}
    lane_xml = ""
    if lanes:
        inner = "".join(f'<bpmn:lane id="{lane}" name="{lane}">'
                        + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes) + "</bpmn:lane>"
                        for lane, nodes in lanes.items())
        lane_xml = f'<bpmn:laneSet id="{pid}_lanes">{inner}</bpmn:laneSet>'
    return f'<bpmn:process id="{pid}" isExecutable="true">{lane_xml}{body}</bpmn:process>'


def model(*processes: str, name: str = "test.bpmn", process_id: str | None = None) -> Model:
    """A Model of the given processes, through the real loader (which also runs check_model)."""
    return load_model((HEAD + "".join(processes) + "</bpmn:definitions>").encode(), name, process_id=process_id)


def test_sequential_steps_sum_durations_and_count_trips_materials_submissions() -> None:
    body = ('<bpmn:startEvent id="s"/>'
            + step("apply", trip="true", materials="id_card,birth_cert", duration="fixed 4h")
            + step("check", kind="manualTask", materials="id_card", duration="uniform 1d 3d", time_limit="3")
            + step("collect", kind="manualTask", trip="true", duration="triangular 1h 2h 9h", time_limit="2")
            + '<bpmn:endEvent id="e"/>' + flows("s", "apply", "check", "collect", "e"))
    m = static_metrics(model(process("p", body, {"Applicant": ["s", "apply", "collect", "e"], "health": ["check"]})))
    assert set(m) == set(METRIC_KEYS)
    assert m["steps"] == 3 and m["applicant_steps"] == 2 and m["trips"] == 2
    assert m["materials"] == 2 and m["submissions"] == 3
    assert m["forms"] == 1  # form f on an Applicant-lane step, no matter given
    assert m["departments"] == 1 and m["handoffs"] == 2
    assert m["expected_days"] == pytest.approx(0.5 + 2 + 0.5)
    assert m["time_limit_days"] == 5


def test_parallel_branches_take_the_longest_branch() -> None:
    body = ('<bpmn:startEvent id="s"/>' + step("a", duration="fixed 1d")
            + '<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>'
            + step("b", kind="manualTask", duration="fixed 2d", time_limit="4")
            + step("c", kind="manualTask", duration="fixed 5d", time_limit="1")
            + step("d", kind="manualTask", duration="fixed 4h") + '<bpmn:endEvent id="e"/>'
            + flows("s", "a", "split", "b", "join", "d", "e") + flows("split", "c", "join"))
    lanes = {"Applicant": ["s", "a", "split"], "health": ["b", "join", "d", "e"], "police": ["c"]}
    m = static_metrics(model(process("p", body, lanes)))
    assert m["steps"] == 4 and m["departments"] == 2
    assert m["expected_days"] == 1 + 5 + 0.5
    assert m["time_limit_days"] == 4  # critical path of step time limits: b (4) beats c (1)
    assert m["handoffs"] == 3  # a->b, a->c, c->d (b->d stays in health)


EXCLUSIVE = ('<bpmn:startEvent id="s"/>' + step("a")
             + '<bpmn:exclusiveGateway id="g" default="g_home"/><bpmn:exclusiveGateway id="m"/>'
             + step("hospital", kind="manualTask", trip="true") + step("home", kind="manualTask", materials="x")
             + '<bpmn:endEvent id="e"/>' + flows("s", "a", "g")
             + flows("g", "hospital", condition="delivery == 'hospital'")
             + flows("g", "home", condition="delivery == 'home'")
             + flows("hospital", "m") + flows("home", "m") + flows("m", "e"))


def test_exclusive_gateway_follows_its_default_flow() -> None:
    m = static_metrics(model(process("p", EXCLUSIVE)))
    assert m["steps"] == 2 and m["trips"] == 0 and m["submissions"] == 1


def test_exclusive_gateway_without_default_takes_the_first_flow_in_document_order() -> None:
    m = static_metrics(model(process("p", EXCLUSIVE.replace(' default="g_home"', ""))))
    assert m["steps"] == 2 and m["trips"] == 1 and m["submissions"] == 0


def test_inclusive_gateway_takes_every_non_default_branch() -> None:
    body = ('<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="g" default="g_d"/><bpmn:inclusiveGateway id="j"/>'
            + step("b1", kind="manualTask", duration="fixed 1d") + step("b2", kind="manualTask", duration="fixed 3d")
            + step("d", kind="manualTask", duration="fixed 9d") + '<bpmn:endEvent id="e"/>'
            + flows("s", "g") + flows("g", "b1", condition="x > 1") + flows("g", "b2", condition="y > 1")
            + flows("g", "d") + flows("b1", "j") + flows("b2", "j") + flows("d", "j") + flows("j", "e"))
    m = static_metrics(model(process("p", body)))
    assert m["steps"] == 2 and m["expected_days"] == 3


def test_loop_counts_each_step_once_and_leaves_by_the_forward_flow() -> None:
    # the review gateway's default flow goes back to 'fix': the expected path leaves forward instead
    body = ('<bpmn:startEvent id="s"/>' + step("submit", duration="fixed 1d") + step("review", kind="manualTask",
            duration="fixed 2d") + '<bpmn:exclusiveGateway id="ok" default="ok_submit"/>'
            + step("issue", kind="manualTask", duration="fixed 1d") + '<bpmn:endEvent id="e"/>'
            + flows("s", "submit", "review", "ok", "submit") + flows("ok", "issue", condition="approved")
            + flows("issue", "e"))
    lanes = {"Applicant": ["s", "submit"], "civil": ["review", "ok", "issue", "e"]}
    m = static_metrics(model(process("p", body, lanes)))
    assert m["steps"] == 3 and m["expected_days"] == 4
    assert m["handoffs"] == 1  # the back flow review->submit is not on the expected path


def test_call_activity_and_subprocess_steps_are_included() -> None:
    sub = ('<bpmn:subProcess id="sp"><bpmn:startEvent id="ss"/>' + step("inner", kind="manualTask",
           duration="fixed 2d", materials="m1") + '<bpmn:endEvent id="se"/>' + flows("ss", "inner", "se")
           + "</bpmn:subProcess>")
    main = ('<bpmn:startEvent id="s"/>' + step("a", duration="fixed 1d") + sub
            + '<bpmn:callActivity id="call" calledElement="callee"/>' + step("z", kind="manualTask", trip="true")
            + '<bpmn:endEvent id="e"/>' + flows("s", "a", "sp", "call", "z", "e"))
    callee = ('<bpmn:startEvent id="cs"/>' + step("c1", kind="manualTask", duration="fixed 3d", materials="m1,m2")
              + '<bpmn:endEvent id="ce"/>' + flows("cs", "c1", "ce"))
    lanes = {"Applicant": ["s", "a", "z", "e"], "health": ["sp", "call"]}
    m = static_metrics(model(process("p", main, lanes), process("callee", callee, {}), process_id="p"))
    assert m["steps"] == 4 and m["expected_days"] == 6
    assert m["materials"] == 2 and m["submissions"] == 3 and m["trips"] == 1
    assert m["departments"] == 1 and m["handoffs"] == 2  # a->inner, c1->z


MATTER = textwrap.dedent("""\
    id: demo
    names: {zh: 演示, en: Demo}
    category: birth
    departments:
      - {id: health, names: {zh: 卫健委, en: Health}}
    materials:
      - {id: id_card, names: {zh: 身份证, en: ID card}, after: applicant}
      - {id: birth_cert, names: {zh: 出生证, en: Birth certificate}, after: shared}
    time_limits: {before: 10, after: 2}
    forms:
      f:
        names: {zh: 申请表, en: Application}
        filled_by: applicant
        fields:
          - {name: n, type: text, required: true, labels: {zh: 名, en: Name}, example: x}
      g:
        names: {zh: 审核表, en: Review}
        filled_by: clerk
        fields:
          - {name: ok, type: boolean, labels: {zh: 同意, en: OK}}
    """)


def test_matter_decides_forms_time_limit_and_shared_materials() -> None:
    matter = parse_matter(MATTER.encode(), Path("demo"), "demo/matter.yaml")
    body = ('<bpmn:startEvent id="s"/>' + step("apply", materials="id_card,birth_cert")
            + step("review", form="g", time_limit="7") + '<bpmn:endEvent id="e"/>' + flows("s", "apply", "review", "e"))
    loaded = model(process("demo_after", body, {"Applicant": ["s", "apply"], "health": ["review", "e"]}),
                   name="demo/after.bpmn")
    after = static_metrics(loaded, matter)
    assert after["forms"] == 1 and after["materials"] == 1 and after["time_limit_days"] == 2
    before = static_metrics(loaded, matter, "before")
    assert before["materials"] == 2 and before["submissions"] == 2 and before["time_limit_days"] == 10


def test_compare_gives_change_and_percentage() -> None:
    result = compare({"steps": 10, "expected_days": 4.0, "time_limit_days": None},
                     {"steps": 4, "expected_days": 5.5, "time_limit_days": 3})
    assert result["steps"] == {"before": 10, "after": 4, "change": -6, "change_pct": -60.0}
    assert result["expected_days"]["change"] == 1.5 and result["expected_days"]["change_pct"] == 37.5
    assert result["time_limit_days"]["change"] is None and result["time_limit_days"]["change_pct"] is None


PROCESSES = Path(__file__).resolve().parents[2] / "processes"


@pytest.mark.parametrize("directory", sorted(p.parent for p in PROCESSES.glob("*/matter.yaml")), ids=lambda p: p.name)
def test_library_models_reproduce_their_published_figures(directory: Path) -> None:
    matter = load_matter(directory)
    for variant in ("before", "after"):
        path = directory / f"{variant}.bpmn"
        figures = static_metrics(load_model(path.read_bytes(), str(path), matter=matter,
                                            decisions=dmn_files_beside(path), library=library_of([path])),
                                 matter, variant)
        assert set(figures) == set(METRIC_KEYS)
        for source in (s for s in matter.sources if s.variant == variant):
            assert figures[source.figure] == source.value, (variant, source.figure, source.source)
