"""Small BPMN files and DOT helpers shared by the diagram tests."""
from __future__ import annotations

import re
from pathlib import Path

from tests.corpus import files_with_role

REPO = Path(__file__).resolve().parents[2]

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="defs" targetNamespace="http://example.org/onething">\n')


def lane_model(task_name: str = "受理申请") -> str:
    """A two-lane process: start, user task, exclusive gateway (condition + default), timer, two ends."""
    name = task_name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return HEAD + f"""
  <bpmn:process id="p" name="测试事项" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="Applicant" name="申请人"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>apply</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="police" name="公安局"><bpmn:flowNodeRef>gw</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>send</bpmn:flowNodeRef><bpmn:flowNodeRef>end_ok</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_no</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始" />
    <bpmn:userTask id="apply" name="{name}" />
    <bpmn:exclusiveGateway id="gw" name="材料齐全？" default="f_default" />
    <bpmn:manualTask id="review" name="人工复核" />
    <bpmn:intermediateCatchEvent id="wait" name="等待三天">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="send" name="推送结果" />
    <bpmn:endEvent id="end_ok" name="办结" />
    <bpmn:endEvent id="end_no" name="不予受理" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply" />
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="gw" />
    <bpmn:sequenceFlow id="f_ok" name="齐全" sourceRef="gw" targetRef="review">
      <bpmn:conditionExpression>complete == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_default" sourceRef="gw" targetRef="end_no" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="wait" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="send" />
    <bpmn:sequenceFlow id="f5" sourceRef="send" targetRef="end_ok" />
  </bpmn:process>
</bpmn:definitions>
"""


def collaboration_model() -> str:
    """Two pools, one a black box, joined by message flows, with an expanded subprocess."""
    return HEAD + """
  <bpmn:collaboration id="c">
    <bpmn:participant id="citizen" name="申请人" />
    <bpmn:participant id="office" name="政务服务中心" processRef="p" />
    <bpmn:messageFlow id="m1" name="递交" sourceRef="citizen" targetRef="receive" />
    <bpmn:messageFlow id="m2" sourceRef="notify" targetRef="citizen" />
  </bpmn:collaboration>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:receiveTask id="receive" name="接收材料" />
    <bpmn:subProcess id="sub" name="联合审查">
      <bpmn:startEvent id="sub_s" />
      <bpmn:task id="sub_t" name="审查" />
      <bpmn:endEvent id="sub_e" />
      <bpmn:sequenceFlow id="sf1" sourceRef="sub_s" targetRef="sub_t" />
      <bpmn:sequenceFlow id="sf2" sourceRef="sub_t" targetRef="sub_e" />
    </bpmn:subProcess>
    <bpmn:sendTask id="notify" name="告知结果" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="q1" sourceRef="s" targetRef="receive" />
    <bpmn:sequenceFlow id="q2" sourceRef="receive" targetRef="sub" />
    <bpmn:sequenceFlow id="q3" sourceRef="sub" targetRef="notify" />
    <bpmn:sequenceFlow id="q4" sourceRef="notify" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def corpus_files() -> list[Path]:
    """Every corpus file whose role is run or render (from SOURCES.md)."""
    return files_with_role("run", "render")


def process_files() -> list[Path]:
    """Every model under processes/ at collection time."""
    return sorted((REPO / "processes").glob("*/*.bpmn"))


def node_line(dot: str, node: str) -> str:
    """The DOT statement that declares node."""
    match = re.search(rf"^\s*{re.escape(node)} \[.*$", dot, re.M)
    assert match, f"{node} not in DOT"
    return match.group(0)


def edge_line(dot: str, tail: str, head: str) -> str:
    """The DOT statement of the edge tail -> head."""
    match = re.search(rf"^\s*{re.escape(tail)} -> {re.escape(head)}\b.*$", dot, re.M)
    assert match, f"{tail} -> {head} not in DOT"
    return match.group(0)
