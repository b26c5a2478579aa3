"""DOT text of plain model drawings: shapes, lanes, flows, escaping, fonts."""
from __future__ import annotations

from diagram_helpers import collaboration_model, edge_line, lane_model, node_line

from diagrams.render import render_diagram, to_image, wrap
from diagrams.styles import FONT


def test_each_element_kind_gets_its_bpmn_shape(make_diagram):
    dot = render_diagram(make_diagram(lane_model())).source
    assert "shape=circle" in node_line(dot, "start") and "penwidth=1 " in node_line(dot, "start")
    assert "penwidth=3.5" in node_line(dot, "end_ok")
    assert "shape=doublecircle" in node_line(dot, "wait") and "◷" in node_line(dot, "wait")
    assert "shape=diamond" in node_line(dot, "gw") and 'label="×"' in node_line(dot, "gw")
    assert "rounded" in node_line(dot, "apply") and "☺" in node_line(dot, "apply")
    assert "⚙" in node_line(dot, "send") and "☚" in node_line(dot, "review")


def test_lanes_are_labelled_clusters_inside_the_pool(make_diagram):
    dot = render_diagram(make_diagram(lane_model())).source
    assert "subgraph cluster_pool0" in dot and 'label="测试事项"' in dot
    assert "subgraph cluster_lane_Applicant" in dot and 'label="申请人"' in dot
    assert "subgraph cluster_lane_police" in dot and 'label="公安局"' in dot
    assert "rankdir=LR" in dot


def test_condition_label_and_default_marker(make_diagram):
    dot = render_diagram(make_diagram(lane_model().replace(' name="齐全"', ""))).source
    assert 'label="complete == True"' in edge_line(dot, "gw", "review")
    assert "arrowtail=tee" in edge_line(dot, "gw", "end_no")
    assert "arrowtail" not in edge_line(dot, "gw", "review")


def test_message_flows_are_dashed_and_subprocesses_are_clusters(make_diagram):
    dot = render_diagram(make_diagram(collaboration_model())).source
    assert "style=dashed" in edge_line(dot, "notify", "pool_citizen")
    assert "style=dashed" in edge_line(dot, "pool_citizen", "receive")
    assert "subgraph cluster_sub_sub" in dot
    assert "lhead=cluster_sub_sub" in edge_line(dot, "receive", "sub_s")
    assert "✉" in node_line(dot, "notify")


def test_hostile_names_come_out_as_text_in_dot_and_svg(make_diagram):
    evil = '<script>alert(1)</script> "]; evil [color=red \\N'
    graph = render_diagram(make_diagram(lane_model(evil)))
    dot = graph.source
    assert "evil [color=red" not in dot.replace('\\"]; evil [color=red', "")  # only ever inside quotes
    line = node_line(dot, "apply")
    assert 'tooltip="<script>alert(1)</script> \\"]; evil [color=red ⧵N (人工环节)"' in line
    svg = to_image(graph).decode()
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;]; evil [color=red ⧵N (人工环节)" in svg
    assert "[color=red \\N</text>" in svg
    assert svg.count("<g id=\"node") == 8  # no node was injected


def test_fonts_can_draw_chinese(make_diagram):
    dot = render_diagram(make_diagram(lane_model())).source
    assert dot.count(f'fontname="{FONT}"') == 3  # graph, node and edge defaults
    assert f'font-family="{FONT}' in to_image(render_diagram(make_diagram(lane_model()))).decode()


def test_long_chinese_names_wrap_by_display_width():
    assert wrap("依电子出生证明办理出生户口登记", 12) == ["依电子出生证", "明办理出生户", "口登记"]
    assert wrap("Register the birth", 10) == ["Register", "the birth"]
