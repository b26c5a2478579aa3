"""Case states, duration heat and before/after drawings, as DOT text."""
from __future__ import annotations

from diagram_helpers import edge_line, lane_model, node_line

from diagrams.overlays import CaseOverlay, render_case, render_compare, render_heat, taken_flows
from diagrams.styles import HEAT_SCALE, STYLES


def test_case_overlay_colours_steps_by_state_and_draws_the_path_bold(make_diagram):
    d = make_diagram(lane_model())
    overlay = CaseOverlay({"apply": "completed", "review": "ready"}, ["start", "apply", "gw", "review"])
    dot = render_case(d, overlay).source
    assert f'fillcolor="{STYLES["completed"]["fillcolor"]}"' in node_line(dot, "apply")
    assert f'fillcolor="{STYLES["ready"]["fillcolor"]}"' in node_line(dot, "review")
    assert f'fillcolor="{STYLES["completed"]["fillcolor"]}"' in node_line(dot, "gw")  # on the trail
    assert f'fillcolor="{STYLES["not_reached"]["fillcolor"]}"' in node_line(dot, "send")
    assert "penwidth=3" in edge_line(dot, "apply", "gw") and "penwidth=3" in edge_line(dot, "gw", "review")
    assert "penwidth" not in edge_line(dot, "gw", "end_no") and "penwidth" not in edge_line(dot, "wait", "send")
    legend = dot.split("cluster_legend")[1]
    assert 'label="图例"' in legend and 'label="超时"' in legend and "overdue" not in legend
    english = render_case(d, overlay, lang="en").source.split("cluster_legend")[1]
    assert "label=Legend" in english and "label=overdue" in english and "超时" not in english and "图例" not in english


def test_case_overlay_accepts_plain_dicts_and_marks_overdue(make_diagram):
    dot = render_case(make_diagram(lane_model()), {"step_states": {"review": "overdue"}, "trail": []}).source
    assert f'color="{STYLES["overdue"]["color"]}"' in node_line(dot, "review")


def test_taken_flows_are_consecutive_pairs():
    assert taken_flows(["a", "b", "c"]) == {("a", "b"), ("b", "c")}


def test_heat_colours_steps_on_one_scale_with_median_in_label(make_diagram):
    dot = render_heat(make_diagram(lane_model()), {"apply": [1.0, 2.0, 9.0], "review": 40.0, "send": 10.0}).source
    assert f'fillcolor="{HEAT_SCALE[0]}"' in node_line(dot, "apply") and "中位 2.0 小时" in node_line(dot, "apply")
    assert f'fillcolor="{HEAT_SCALE[-1]}"' in node_line(dot, "review") and "fontcolor=white" in node_line(dot, "review")
    assert "fillcolor=white" in node_line(dot, "wait")  # no data, no colour
    assert "cluster_legend_heat" in dot and "40.0 小时" in dot and "median" not in dot
    english = render_heat(make_diagram(lane_model()), {"apply": 2.0, "review": 40.0}, lang="en").source
    assert "median 2.0 h" in node_line(english, "apply") and "Median duration" in english and "中位" not in english


def test_compare_puts_both_variants_under_headlines_of_their_metrics(make_diagram):
    before = make_diagram(lane_model())
    after = make_diagram(lane_model("一窗受理"))
    dot = render_compare(before, after, {"steps": 16, "trips": 4, "materials": 9, "departments": 6,
                                         "expected_days": 25.0},
                         {"steps": 3, "trips": 1, "materials": 2, "departments": 2, "expected_days": 3.5},
                         "newborn").source
    assert "subgraph cluster_before__variant" in dot and "subgraph cluster_after__variant" in dot
    assert "改革前\\l环节 16 · 跑动 4 · 材料 9 · 部门 6 · 预计天数 25\\l" in dot
    assert "环节 3 · 跑动 1" in dot and "预计天数 3.5" in dot and "steps" not in dot
    english = render_compare(before, after, {"steps": 16}, {"steps": 3}, "newborn", lang="en").source
    assert "Before\\lsteps 16\\l" in english and "After\\lsteps 3\\l" in english and "改革" not in english
    assert "before__apply [" in dot and "after__apply [" in dot and "一窗受理" in node_line(dot, "after__apply")
