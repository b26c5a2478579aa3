"""load_model stage by stage: every refusal names FILE:LINE: ELEMENT_ID; a valid model loads fully."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.catalog.library import check_paths
from engine.errors import ModelError
from engine.model.loading import clear_cache, load_model, model_for
from engine.model.xmlsafe import MAX_BYTES
from web.cli import cli

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://onething/test">
"""
VALID = HEAD + """  <bpmn:process id="newborn_after" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="Applicant" name="申请人">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>apply</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="health" name="卫生健康委">
        <bpmn:flowNodeRef>gate</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>sub</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="apply" name="提交申请">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="name_en" value="Apply" />
          <spiffworkflow:property name="trip" value="false" />
          <spiffworkflow:property name="form" value="joint_application" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gate" default="to_sub" />
    <bpmn:manualTask id="review" name="审核">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="name_en" value="Review" />
          <spiffworkflow:property name="time_limit" value="3" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:manualTask>
    <bpmn:subProcess id="sub" name="内部">
      <bpmn:startEvent id="sub_start" />
      <bpmn:manualTask id="archive" name="归档">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="name_en" value="Archive" />
          </spiffworkflow:properties>
        </bpmn:extensionElements>
      </bpmn:manualTask>
      <bpmn:endEvent id="sub_end" />
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="archive" />
      <bpmn:sequenceFlow id="s2" sourceRef="archive" targetRef="sub_end" />
    </bpmn:subProcess>
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply" />
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="gate" />
    <bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="review">
      <bpmn:conditionExpression>delivery == "home"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_sub" sourceRef="gate" targetRef="sub" />
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="sub" />
    <bpmn:sequenceFlow id="f5" sourceRef="sub" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def simple(body: str, *, process: str = 'id="p" isExecutable="true"', extra: str = "") -> str:
    """A one-process model: start -> body elements; the caller wires its own flows."""
    return (HEAD + f"  <bpmn:process {process}>\n    <bpmn:startEvent id=\"start\" />\n{body}\n  </bpmn:process>\n"
            + f"{extra}</bpmn:definitions>\n")


def line(text: str, needle: str) -> int:
    """1-based line of the first occurrence of needle."""
    return text[: text.index(needle)].count("\n") + 1


def problems_of(text: str | bytes, **kwargs) -> list:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(ModelError) as info:
        load_model(data, "m.bpmn", **kwargs)
    return info.value.problems


def only(text: str | bytes, **kwargs):
    found = problems_of(text, **kwargs)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_valid_model_loads_with_lanes_steps_and_properties() -> None:
    model = load_model(VALID.encode(), "after.bpmn")
    assert model.process_id == "newborn_after"
    assert model.lanes == {"Applicant": "申请人", "health": "卫生健康委"}
    assert set(model.steps) == {"apply", "review", "archive"}
    apply = model.steps["apply"]
    assert (apply.kind, apply.name, apply.department) == ("userTask", "提交申请", "Applicant")
    assert apply.properties == {"name_en": "Apply", "trip": "false", "form": "joint_application"}
    assert apply.line == line(VALID, '<bpmn:userTask id="apply"')
    assert model.steps["review"].properties["time_limit"] == "3"
    assert model.steps["archive"].department == "health"  # inherited from its subprocess's lane
    assert "apply" in model.spec.task_specs and "sub" in model.subprocess_specs
    assert len(model.content_hash) == 64 and model.data == VALID.encode()


def test_doctype_with_system_entity_is_refused() -> None:
    text = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + VALID.split("\n", 1)[1]
    problem = only(text)
    assert (problem.file, problem.line) == ("m.bpmn", 2) and "DOCTYPE" in problem.message


def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};">' for i in range(1, 10))
    text = f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY l0 "lol">{entities}]>\n<d>&l9;</d>'
    assert "DOCTYPE" in only(text).message


def test_any_doctype_is_refused() -> None:
    text = VALID.replace("<bpmn:definitions", "<!DOCTYPE bpmn:definitions>\n<bpmn:definitions", 1)
    assert "DOCTYPE" in only(text).message


def test_xinclude_is_refused_at_its_line() -> None:
    text = VALID.replace(
        '<bpmn:startEvent id="start" />',
        '<bpmn:startEvent id="start"><bpmn:documentation>'
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
        "</bpmn:documentation></bpmn:startEvent>",
    )
    problem = only(text)
    assert problem.line == line(text, "<xi:include") and "XInclude" in problem.message


def test_oversized_file_is_refused() -> None:
    data = VALID.encode() + b" " * (MAX_BYTES + 1 - len(VALID.encode()))
    assert "limit" in only(data).message


@pytest.mark.parametrize(
    "data", [b"", b"\x00\xff\xfe garbage \x89PNG", b"<a><b></a>", b"plain text"],
    ids=["empty", "binary", "unclosed", "text"],
)
def test_garbage_becomes_a_problem_not_an_exception(data: bytes) -> None:
    assert problems_of(data)[0].file == "m.bpmn"


def test_malformed_xml_reports_its_line() -> None:
    text = VALID.replace('<bpmn:endEvent id="done" />', '<bpmn:endEvent id="done">')
    problem = only(text)
    assert problem.line and problem.line >= line(text, '<bpmn:endEvent id="done">')
    assert "not well-formed" in problem.message


def test_every_xsd_violation_is_reported_with_line_and_id() -> None:
    text = simple(
        '    <bpmn:task id="t" isForCompensation="maybe" />\n'
        '    <bpmn:subProcess id="sp"><bpmn:notAnElement id="q" /></bpmn:subProcess>'
    )
    found = problems_of(text)
    assert [(p.line, p.element_id) for p in found] == [(line(text, 'id="t"'), "t"), (line(text, 'id="q"'), "q")]
    assert all(p.message.startswith("not valid BPMN (XSD): ") for p in found)
    assert "notAnElement" in found[1].message


def test_dangling_flows_are_all_reported_before_spiff_sees_them() -> None:
    text = simple(
        '    <bpmn:endEvent id="end" />\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nowhere" />\n'
        '    <bpmn:sequenceFlow id="f2" sourceRef="ghost" targetRef="end" />'
    )
    found = problems_of(text)
    assert [(p.line, p.element_id) for p in found] == [(line(text, 'id="f1"'), "f1"), (line(text, 'id="f2"'), "f2")]
    assert "'nowhere'" in found[0].message and "'ghost'" in found[1].message


def test_complex_gateway_cannot_run() -> None:
    text = simple(
        '    <bpmn:complexGateway id="cg" />\n    <bpmn:endEvent id="end" />\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="cg" />\n'
        '    <bpmn:sequenceFlow id="f2" sourceRef="cg" targetRef="end" />'
    )
    problem = only(text)
    assert (problem.line, problem.element_id) == (line(text, 'id="cg"'), "cg") and "complexGateway" in problem.message


def test_spiff_validation_error_gets_the_line_of_its_element() -> None:
    text = simple(
        '    <bpmn:exclusiveGateway id="gw" />\n    <bpmn:endEvent id="a" />\n    <bpmn:endEvent id="b" />\n'
        '    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />\n'
        '    <bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="a" />\n'
        '    <bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="b" />'
    )
    problem = only(text)
    assert problem.element_id in ("fa", "fb") and problem.line == line(text, f'id="{problem.element_id}"')
    assert problem.message.startswith("SpiffWorkflow: ")


def test_bad_condition_syntax_is_reported_at_the_expression() -> None:
    text = VALID.replace('delivery == "home"', "x ==== 1")
    problem = only(text)
    assert (problem.line, problem.element_id) == (line(text, "x ==== 1"), "f3")
    assert problem.message.startswith("condition: ")


def _script_model(script: str) -> str:
    return simple(
        f'    <bpmn:scriptTask id="share"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>\n'
        '    <bpmn:endEvent id="end" />\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="share" />\n'
        '    <bpmn:sequenceFlow id="f2" sourceRef="share" targetRef="end" />'
    )


def test_import_in_a_script_is_refused() -> None:
    text = _script_model("import os\nenv = os.environ")
    problem = only(text)
    assert (problem.line, problem.element_id) == (line(text, "<bpmn:script>"), "share")
    assert "import" in problem.message


def test_script_that_always_fails_is_refused_and_a_plain_one_loads() -> None:
    assert "always fails" in only(_script_model("a = 1\nb = a + 'two'")).message
    assert load_model(_script_model("total = amount * 2").encode(), "m.bpmn").process_id == "p"


def _timer_model(body: str) -> str:
    return simple(
        '    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">'
        f"<bpmn:timeDuration>{body}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
        '    <bpmn:endEvent id="end" />\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />\n'
        '    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />'
    )


def test_an_invalid_timer_is_refused_a_plain_or_quoted_one_loads() -> None:
    assert "not an ISO 8601 duration" in only(_timer_model('"2 days"')).message
    assert load_model(_timer_model('"P2D"').encode(), "m.bpmn").process_id == "p"
    assert load_model(_timer_model("P2D").encode(), "m.bpmn").process_id == "p"


def _call_model(calls: dict[str, str]) -> str:
    processes = ""
    for pid, target in calls.items():
        processes += (
            f'  <bpmn:process id="{pid}" isExecutable="true">\n    <bpmn:startEvent id="{pid}_s" />\n'
            f'    <bpmn:callActivity id="{pid}_call" calledElement="{target}" />\n    <bpmn:endEvent id="{pid}_e" />\n'
            f'    <bpmn:sequenceFlow id="{pid}_f1" sourceRef="{pid}_s" targetRef="{pid}_call" />\n'
            f'    <bpmn:sequenceFlow id="{pid}_f2" sourceRef="{pid}_call" targetRef="{pid}_e" />\n  </bpmn:process>\n'
        )
    return HEAD + processes + "</bpmn:definitions>\n"


def test_missing_call_target_is_refused() -> None:
    text = _call_model({"main": "elsewhere"})
    problem = only(text)
    assert (problem.line, problem.element_id) == (line(text, 'id="main_call"'), "main_call")
    assert "'elsewhere'" in problem.message


def test_self_recursive_call_activity_is_refused() -> None:
    problem = only(_call_model({"loop": "loop"}))
    assert problem.element_id == "loop_call" and "calls itself" in problem.message


def test_indirect_recursion_is_refused() -> None:
    found = problems_of(_call_model({"a": "b", "b": "a"}))
    assert {p.element_id for p in found} == {"a_call", "b_call"}


def test_top_process_is_chosen_among_several() -> None:
    text = _call_model({"child": "leaf", "main": "child"}).replace(
        "</bpmn:definitions>",
        '  <bpmn:process id="leaf" isExecutable="true"><bpmn:startEvent id="ls" /></bpmn:process>\n</bpmn:definitions>',
    )
    assert load_model(text.encode(), "m.bpmn").process_id == "main"
    assert load_model(text.encode(), "m.bpmn", process_id="child").process_id == "child"
    assert "no executable process" in only(text, process_id="nope").message


def test_non_executable_process_says_so() -> None:
    text = VALID.replace('isExecutable="true"', 'isExecutable="false"')
    problem = only(text)
    assert (problem.line, problem.element_id) == (line(text, "<bpmn:process"), "newborn_after")
    assert 'isExecutable="false"' in problem.message


def test_property_without_value_is_a_problem_not_a_keyerror() -> None:
    text = VALID.replace('<spiffworkflow:property name="trip" value="false" />',
                         '<spiffworkflow:property name="trip" />')
    problem = only(text)
    assert problem.line == line(text, '<spiffworkflow:property name="trip" />') and problem.element_id == "apply"


def test_step_annotation_rules_run_last() -> None:
    text = VALID.replace('name="trip" value="false"', 'name="colour" value="red"')
    problem = only(text)
    assert problem.element_id == "apply" and "colour" in problem.message


def test_model_for_parses_each_content_once_across_threads() -> None:
    clear_cache()
    results: list = []
    start = threading.Barrier(8)  # all miss together

    def load() -> None:
        start.wait()
        results.append(model_for(VALID.encode(), "a.bpmn"))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(m) for m in results}) == 1 and model_for(VALID.encode(), "a.bpmn") is results[0]
    other = model_for(VALID.replace("审核", "复核").encode(), "a.bpmn")
    assert other is not results[0] and other.content_hash != results[0].content_hash


def test_check_paths_walks_directories_and_reports_missing_files(tmp_path: Path) -> None:
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "good.bpmn").write_text(VALID, encoding="utf-8")
    (tmp_path / "deep" / "bad.bpmn20.xml").write_text(VALID.replace('"home"', "'"), encoding="utf-8")
    (tmp_path / "deep" / "bad.bpmn2").write_text(VALID.replace('"home"', "'"), encoding="utf-8")  # jBPM's suffix
    (tmp_path / "notes.txt").write_text("ignored")
    found = check_paths([str(tmp_path), str(tmp_path / "missing.bpmn")])
    files = [p.file for p in found]
    assert files == [str(tmp_path / "deep" / "bad.bpmn2"), str(tmp_path / "deep" / "bad.bpmn20.xml"),
                     str(tmp_path / "missing.bpmn")]


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary", VALID.replace("<bpmn:process", "<bpmn:proc", 1).encode()],
    ids=["empty", "binary", "xsd-invalid"],
)
def test_check_command_prints_problems_and_exits_1_without_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.bpmn"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["check", str(path), str(tmp_path / "absent.bpmn")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:") and lines[-1].startswith(f"{tmp_path / 'absent.bpmn'}:0: -: ")


def test_check_command_says_ok(tmp_path: Path) -> None:
    (tmp_path / "a.bpmn").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.bpmn").write_text(VALID, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert (result.exit_code, result.output) == (0, "2 file(s) OK\n")


def test_broken_matter_yaml_next_to_the_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "after.bpmn").write_text(VALID, encoding="utf-8")
    (tmp_path / "matter.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    found = check_paths([str(tmp_path / "after.bpmn")])
    assert found and found[0].file.endswith("matter.yaml")
