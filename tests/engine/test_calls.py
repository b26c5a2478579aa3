"""Calls across files: a call activity naming a process of another file (engine/model/calls.py): the check, the
metrics through the call, and the library's shared sub-process (processes/shared) as the newborn matter calls it."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from engine.catalog.library import check_paths, library_of
from engine.errors import ModelError
from engine.matters.files import load_matter
from engine.model.calls import CalledFile
from engine.model.decisions import dmn_files_beside
from engine.model.loading import load_model
from engine.model.metrics import static_metrics
from tests.engine.test_metrics import HEAD, flows, process, step

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
NEWBORN = PROCESSES / "newborn"
SHARED = PROCESSES / "shared" / "police_birth_registration" / "process.bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def file(*processes: str) -> bytes:
    return (HEAD + "".join(processes) + "</bpmn:definitions>").encode()


def caller(pid: str, target: str, lane: str = "office") -> bytes:
    body = ('<bpmn:startEvent id="s"/>' + step(f"{pid}_first") + f'<bpmn:callActivity id="{pid}_call" '
            f'calledElement="{target}"/>' + step(f"{pid}_last") + '<bpmn:endEvent id="e"/>'
            + flows("s", f"{pid}_first", f"{pid}_call", f"{pid}_last", "e"))
    return file(process(pid, body, {lane: ["s", f"{pid}_first", f"{pid}_call", f"{pid}_last", "e"]}))


def callee(pid: str, *steps: str, lane: str = "registry", calls: str | None = None) -> bytes:
    nodes = ["cs", *steps] + ([f"{pid}_again"] if calls else []) + ["ce"]
    body = ('<bpmn:startEvent id="cs"/>' + "".join(step(s, trip="true") for s in steps)
            + (f'<bpmn:callActivity id="{pid}_again" calledElement="{calls}"/>' if calls else "")
            + '<bpmn:endEvent id="ce"/>' + flows(*nodes))
    return file(process(pid, body, {lane: nodes}))


def test_a_call_into_another_file_brings_its_steps_departments_and_specs() -> None:
    child = CalledFile("child.bpmn", callee("child", "review", "approve"))
    model = load_model(caller("parent", "child"), "parent.bpmn", library=(child,))
    assert set(model.callees) == {"child"} and model.callees["child"].filename == "child.bpmn"
    assert {"parent_first", "review", "approve", "parent_last"} <= set(model.steps)
    assert model.steps["review"].department == "registry" and "child" in model.subprocess_specs
    figures = static_metrics(model)
    assert (figures["steps"], figures["trips"], figures["departments"], figures["handoffs"]) == (4, 2, 2, 2)


def test_an_unknown_target_is_named_with_its_line() -> None:
    with pytest.raises(ModelError) as error:
        load_model(caller("parent", "nowhere"), "parent.bpmn", library=(CalledFile("x.bpmn", callee("x", "a")),))
    [problem] = error.value.problems
    assert (problem.element_id, problem.message) == ("parent_call",
                                                      "call activity target 'nowhere' is not deployed or given")
    assert str(problem).startswith("parent.bpmn:") and problem.line


def test_a_call_cycle_through_files_is_refused_naming_the_cycle() -> None:
    library = (CalledFile("b.bpmn", callee("b", "b_step", calls="c")), CalledFile("c.bpmn", caller("c", "a")))
    with pytest.raises(ModelError) as error:
        load_model(caller("a", "b"), "a.bpmn", library=library)
    assert [p.message for p in error.value.problems] == [
        "process 'a' calls itself through call activities (a -> b -> c -> a)"]


def test_a_called_process_step_may_not_reuse_a_callers_step_id() -> None:
    with pytest.raises(ModelError) as error:
        load_model(caller("parent", "child"), "parent.bpmn",
                   library=(CalledFile("child.bpmn", callee("child", "parent_first")),))
    assert "has the id of a step of 'parent'" in error.value.problems[0].message


def test_calls_reach_through_several_files_and_count_once_per_call() -> None:
    library = (CalledFile("mid.bpmn", callee("mid", "m1", calls="leaf")), CalledFile("leaf.bpmn", callee("leaf", "l1")))
    model = load_model(caller("top", "mid"), "top.bpmn", library=library)
    assert set(model.callees) == {"mid", "leaf"} and {"m1", "l1"} <= set(model.steps)
    assert static_metrics(model)["steps"] == 4


def test_check_paths_resolves_calls_between_the_files_given(tmp_path: Path) -> None:
    (tmp_path / "parent.bpmn").write_bytes(caller("parent", "child"))
    (tmp_path / "child.bpmn").write_bytes(callee("child", "review"))
    assert check_paths([str(tmp_path / "parent.bpmn"), str(tmp_path / "child.bpmn")]) == []
    alone = check_paths([str(tmp_path / "parent.bpmn")])
    assert [p.message for p in alone] == ["call activity target 'child' is not deployed or given"]


def inlined(path: Path, called: Path) -> bytes:
    """The matter's model with each call to the shared sub-process replaced by an embedded subprocess holding the
    called process's elements (its lanes dropped: inside the subprocess they take the call's lane, police)."""
    root = etree.fromstring(path.read_bytes())
    target = etree.fromstring(called.read_bytes()).find(f"{{{BPMN}}}process")
    calls = root.findall(f".//{{{BPMN}}}callActivity")
    assert calls, "the matter's model calls no shared sub-process any more"
    for call in calls:
        assert call.get("calledElement") == target.get("id")
        sub = etree.Element(f"{{{BPMN}}}subProcess", id=call.get("id"), name=call.get("name"))
        sub.extend(copy.deepcopy(c) for c in call if etree.QName(c).localname in ("incoming", "outgoing"))
        sub.extend(copy.deepcopy(c) for c in target if etree.QName(c).localname not in ("laneSet", "documentation"))
        call.getparent().replace(call, sub)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_newborn_metrics_through_the_call_equal_those_of_the_inlined_model() -> None:
    path, matter = NEWBORN / "after.bpmn", load_matter(NEWBORN)
    called = load_model(path.read_bytes(), str(path), matter=matter, decisions=dmn_files_beside(path),
                        library=library_of([path]))
    assert set(called.callees) == {"police_birth_registration"}
    alone = load_model(inlined(path, SHARED), str(path), matter=matter, decisions=dmn_files_beside(path))
    assert not alone.callees and "register_birth" in alone.steps
    assert static_metrics(called, matter, "after") == static_metrics(alone, matter, "after")
    assert called.steps["register_birth"].department == alone.steps["register_birth"].department == "police"


def test_the_matter_checks_the_called_steps_against_its_matter_yaml(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "police_birth_registration"
    shared.mkdir(parents=True)
    (shared / "process.bpmn").write_bytes(SHARED.read_bytes().replace(b"birth_registration_review", b"no_such_form"))
    (shared / "process.yaml").write_bytes(SHARED.with_name("process.yaml").read_bytes())
    matter = tmp_path / "newborn"
    matter.mkdir()
    for name in ("matter.yaml", "after.bpmn", "maternity_allowance.dmn"):
        (matter / name).write_bytes((NEWBORN / name).read_bytes())
    problems = check_paths([str(matter / "after.bpmn")])
    assert [(p.file, p.element_id) for p in problems] == [(str(shared / "process.bpmn"), "register_birth")]
    assert "unknown form 'no_such_form'" in problems[0].message
