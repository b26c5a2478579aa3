"""Models the case-engine benchmark runs: sequential, looping, and a clerk-action matter with a form and conditions."""
from __future__ import annotations

from pathlib import Path

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/'
        'MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
        'targetNamespace="http://bench">')


def _lane(nodes: list[str], lane: str = "office") -> str:
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return f'<bpmn:laneSet id="ls"><bpmn:lane id="{lane}" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>'


def sequential_model(steps: int) -> bytes:
    """A sequential process of `steps` user tasks in one department."""
    tasks = "".join(f'<bpmn:userTask id="t{i}" name="Step {i}" />' for i in range(steps))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{"start" if i == 0 else f"t{i - 1}"}" '
                    f'targetRef="{f"t{i}" if i < steps else "end"}"/>' for i in range(steps + 1))
    nodes = ["start", "end"] + [f"t{i}" for i in range(steps)]
    return (f'{HEAD}<bpmn:process id="seq{steps}" isExecutable="true">{_lane(nodes)}<bpmn:startEvent id="start"/>'
            f'{tasks}<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>').encode()


def looping_model() -> bytes:
    """One user task done again and again: `again` decides (the same task at its 10th and its 200th pass)."""
    nodes = ["start", "work", "gate", "end"]
    return (f'{HEAD}<bpmn:process id="loop" isExecutable="true">{_lane(nodes)}<bpmn:startEvent id="start"/>'
            '<bpmn:userTask id="work" name="Work"/><bpmn:exclusiveGateway id="gate" default="done"/>'
            '<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="gate"/>'
            '<bpmn:sequenceFlow id="again" sourceRef="gate" targetRef="work"><bpmn:conditionExpression>again'
            '</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="done" sourceRef="gate" targetRef="end"/></bpmn:process></bpmn:definitions>'
            ).encode()


MATTER = """id: clerk
names: {zh: 办件基准, en: Clerk benchmark}
category: benchmark
departments:
  - id: office
    names: {zh: 窗口, en: Office}
materials: []
time_limits: {after: 5}
forms:
  review:
    names: {zh: 审核, en: Review}
    filled_by: clerk
    fields:
      - {name: decision, type: choice, required: true, labels: {zh: 结论, en: Decision}, example: approve,
         choices: [{value: approve, labels: {zh: 通过, en: Approve}}, {value: reject, labels: {zh: 退回, en: Reject}}]}
      - {name: amount, type: number, required: true, labels: {zh: 金额, en: Amount}, example: 120}
      - {name: note, type: text, max_length: 200, labels: {zh: 备注, en: Note}, example: 材料齐全}
      - {name: checked_on, type: date, past: true, labels: {zh: 日期, en: Date}, example: "2024-03-01"}
sources: []
scenarios: []
"""


def clerk_model(steps: int = 10) -> bytes:
    """`steps` reviews, each with the form above, and after each an exclusive gateway on its data (Python)."""
    props = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="name_en" value="Review"/>'
             '<spiffworkflow:property name="form" value="review"/></spiffworkflow:properties></bpmn:extensionElements>')
    parts, nodes = [], ["start", "end", "rejected"]
    for i in range(steps):
        incoming = 'id="in0" sourceRef="start"' if i == 0 else f'id="ok{i - 1}" sourceRef="g{i - 1}"'
        parts.append(f'<bpmn:userTask id="r{i}" name="审核 {i}">{props}</bpmn:userTask>'
                     f'<bpmn:exclusiveGateway id="g{i}" default="ok{i}"/>'
                     f'<bpmn:sequenceFlow {incoming} targetRef="r{i}"/>'
                     f'<bpmn:sequenceFlow id="to_g{i}" sourceRef="r{i}" targetRef="g{i}"/>'
                     f'<bpmn:sequenceFlow id="no{i}" sourceRef="g{i}" targetRef="rejected"><bpmn:conditionExpression>'
                     f'decision == "reject" and amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>')
        nodes += [f"r{i}", f"g{i}"]
    parts.append(f'<bpmn:sequenceFlow id="ok{steps - 1}" sourceRef="g{steps - 1}" targetRef="end"/>')
    return (f'{HEAD}<bpmn:process id="clerk" isExecutable="true">{_lane(nodes)}<bpmn:startEvent id="start"/>'
            f'<bpmn:endEvent id="end"/><bpmn:endEvent id="rejected"/>{"".join(parts)}</bpmn:process>'
            '</bpmn:definitions>').encode()


def write_matters(folder: Path, sizes: list[int]) -> Path:
    """A processes/-like folder: seq<N> for each size, `loop`, and the `clerk` matter with its matter.yaml."""
    for size in sizes:
        (folder / f"seq{size}").mkdir(exist_ok=True)
        (folder / f"seq{size}" / "after.bpmn").write_bytes(sequential_model(size))
    (folder / "loop").mkdir(exist_ok=True)
    (folder / "loop" / "after.bpmn").write_bytes(looping_model())
    (folder / "clerk").mkdir(exist_ok=True)
    (folder / "clerk" / "after.bpmn").write_bytes(clerk_model())
    (folder / "clerk" / "matter.yaml").write_text(MATTER, encoding="utf-8")
    return folder


def clerk_data(i: int) -> dict:
    """What the clerk enters at review i: approved, so the case goes on to the next review."""
    return {"decision": "approve", "amount": 50 + i, "note": f"第 {i} 次审核", "checked_on": "2024-03-01"}
