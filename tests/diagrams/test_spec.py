"""BPMN XML reduced to plain data."""
from __future__ import annotations

import pytest
from diagram_helpers import collaboration_model, lane_model

from engine.errors import ModelError


def test_lanes_nodes_and_flows_become_plain_data(make_diagram):
    d = make_diagram(lane_model())
    assert [(lane.id, lane.name) for lane in d.pools[0].lanes] == [("Applicant", "申请人"), ("police", "公安局")]
    assert (d.nodes["apply"].kind, d.nodes["apply"].subkind, d.nodes["apply"].lane) == ("task", "user", "Applicant")
    assert (d.nodes["gw"].kind, d.nodes["gw"].subkind) == ("gateway", "exclusive")
    assert (d.nodes["wait"].subkind, d.nodes["wait"].marker) == ("intermediate", "timer")
    flows = {f.id: f for f in d.flows}
    assert flows["f_ok"].label == "齐全" and flows["f_ok"].conditional
    assert flows["f_default"].is_default and not flows["f2"].is_default


def test_condition_is_the_label_of_an_unnamed_flow(make_diagram):
    d = make_diagram(lane_model().replace(' name="齐全"', ""))
    assert {f.id: f.label for f in d.flows}["f_ok"] == "complete == True"


def test_collaboration_keeps_black_box_pools_subprocesses_and_message_flows(make_diagram):
    d = make_diagram(collaboration_model())
    assert [(p.id, p.process_id) for p in d.pools] == [("citizen", None), ("office", "p")]
    assert d.nodes["sub"].expanded and d.nodes["sub_t"].parent == "sub"
    assert [(m.source, m.target) for m in d.message_flows] == [("citizen", "receive"), ("notify", "citizen")]


def test_unsafe_xml_is_refused_with_a_model_error(make_diagram):
    with pytest.raises(ModelError, match="DOCTYPE"):
        make_diagram('<!DOCTYPE x [<!ENTITY e "x">]><x/>')
    with pytest.raises(ModelError, match="test.bpmn:1"):
        make_diagram("<bpmn:definitions")
