"""BPMN DI written from dot's layout: schema-valid, same SpiffWorkflow specs, lanes as ordered bands."""
from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from diagram_helpers import collaboration_model, lane_model, process_files
from lxml import etree

from diagrams.layout import BPMNDI_NS, DC_NS, DI_NS, add_di
from diagrams.spec import diagram_from_root
from engine.model.equivalence import same_behaviour, spec_signature, xsd_problem
from tests.corpus import CORPUS

NS = {"bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
SAMPLES = [CORPUS / "spiffworkflow/bpmn/data/lanes.bpmn", CORPUS / "bpmn-miwg/Reference/C.1.0.bpmn",
           CORPUS / "spiffworkflow/bpmn/data/inclusive_gateway.bpmn", CORPUS / "bpmn-miwg/Reference/B.2.0.bpmn"]


def _bounds(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        out[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _cross_lane_branch_targets(diagram) -> set[str]:
    """Targets of splits into several lanes: where lane order and branch order conflict, order wins."""
    out: dict[str, list[str]] = {}
    for flow in diagram.flows:
        out.setdefault(flow.source, []).append(flow.target)
    return {t for ts in out.values() if len({diagram.nodes[x].lane for x in ts}) > 1 for t in ts}


def _check_layout(data: bytes, name: str, strict: bool = True) -> None:
    out = add_di(data, name)
    assert xsd_problem(out, name) is None
    assert same_behaviour(data, out, name)
    root = etree.fromstring(out)
    assert len(root.findall("bpmndi:BPMNDiagram", NS)) == 1
    diagram = diagram_from_root(root)
    bounds = _bounds(root)
    for node in diagram.nodes.values():
        assert node.id in bounds, node.id
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for flow in [*diagram.flows, *diagram.message_flows]:
        assert len(edges[flow.id].findall("di:waypoint", NS)) >= 2
    for pool in diagram.pools:
        lanes = [bounds[lane.id] for lane in pool.lanes if not any(c.parent == lane.id for c in pool.lanes)]
        lanes.sort(key=lambda b: b[1])
        for upper, lower in pairwise(lanes):
            assert upper[1] + upper[3] == pytest.approx(lower[1])  # stacked bands, no gap, no overlap
            assert upper[0] + upper[2] == pytest.approx(lower[0] + lower[2])  # same right edge
        for node in diagram.nodes.values():
            if strict or node.id not in _cross_lane_branch_targets(diagram):
                pass
            else:
                continue
            if node.pool == pool.id and node.lane in {lane.id for lane in pool.lanes} and not node.parent \
                    and node.subkind != "boundary":
                lx, ly, lw, lh = bounds[node.lane]
                x, y, w, h = bounds[node.id]
                assert ly <= y and y + h <= ly + lh and lx <= x, node.id


def test_small_model_gets_bpmn_sizes_and_horizontal_lanes():
    out = add_di(lane_model().encode(), "t.bpmn")
    root = etree.fromstring(out)
    bounds = _bounds(root)
    assert bounds["apply"][2:] == (100, 80) and bounds["start"][2:] == (36, 36) and bounds["gw"][2:] == (50, 50)
    lane_shapes = root.findall(".//bpmndi:BPMNShape[@bpmnElement='Applicant']", NS)
    assert lane_shapes[0].get("isHorizontal") == "true"
    assert bounds["Applicant"][1] < bounds["police"][1]  # declaration order
    _check_layout(lane_model().encode(), "t.bpmn")


def test_collaboration_gets_participants_and_message_flow_edges():
    out = add_di(collaboration_model().encode(), "c.bpmn")
    bounds = _bounds(etree.fromstring(out))
    assert "citizen" in bounds and "office" in bounds and "sub" in bounds
    sx, sy, sw, sh = bounds["sub"]
    tx, ty, tw, th = bounds["sub_t"]
    assert sx < tx and tx + tw < sx + sw and sy < ty and ty + th < sy + sh  # drawn inside its subprocess
    _check_layout(collaboration_model().encode(), "c.bpmn")


def test_old_di_is_replaced_and_layout_is_stable():
    once = add_di(lane_model().encode(), "t.bpmn")
    assert add_di(once, "t.bpmn") == once


def test_branch_order_survives_when_lanes_would_reverse_it():
    xml = lane_model().replace('<bpmn:sequenceFlow id="f_default"', '<bpmn:sequenceFlow id="f_zz"')
    xml = xml.replace('default="f_default"', 'default="f_zz"')
    assert spec_signature(add_di(xml.encode(), "t.bpmn"), "t.bpmn") == spec_signature(xml.encode(), "t.bpmn")


@pytest.mark.parametrize("path", [p for p in SAMPLES if p.is_file()], ids=lambda p: p.name)
def test_corpus_file_lays_out_validly(path: Path):
    _check_layout(path.read_bytes(), str(path))


@pytest.mark.parametrize("path", process_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_process_model_lays_out_validly(path: Path):
    _check_layout(path.read_bytes(), str(path))
