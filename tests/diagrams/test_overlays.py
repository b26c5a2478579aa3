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
    assert "cluster_legend_case" in dot and "超时 overdue" in dot


def test_case_overlay_accepts_plain_dicts_and_marks_overdue(make_diagram):
    dot = render_case(make_diagram(lane_model()), {"step_states": {"review": "overdue"}, "trail": []}).source
    assert f'color="{STYLES["overdue"]["color"]}"' in node_line(dot, "review")


def test_taken_flows_are_consecutive_pairs():
    assert taken_flows(["a", "b", "c"]) == {("a", "b"), ("b", "c")}


def test_heat_colours_steps_on_one_scale_with_median_in_label(make_diagram):
    dot = render_heat(make_diagram(lane_model()), {"apply": [1.0, 2.0, 9.0], "review": 40.0, "send": 10.0}).source
    assert f'fillcolor="{HEAT_SCALE[0]}"' in node_line(dot, "apply") and "中位 median 2.0 h" in node_line(dot, "apply")
    assert f'fillcolor="{HEAT_SCALE[-1]}"' in node_line(dot, "review") and "fontcolor=white" in node_line(dot, "review")
    assert "fillcolor=white" in node_line(dot, "wait")  # no data, no colour
    assert "cluster_legend_heat" in dot and "40.0 h" in dot


def test_compare_puts_both_variants_under_headlines_of_their_metrics(make_diagram):
    before = make_diagram(lane_model())
    after = make_diagram(lane_model("一窗受理"))
    dot = render_compare(before, after, {"steps": 16, "trips": 4, "materials": 9, "departments": 6,
                                         "expected_days": 25.0},
                         {"steps": 3, "trips": 1, "materials": 2, "departments": 2, "expected_days": 3.5},
                         "newborn").source
    assert "subgraph cluster_before__variant" in dot and "subgraph cluster_after__variant" in dot
    assert ("改革前 before\\l环节 steps 16 · 跑动 trips 4 · 材料 materials 9 · 部门 departments 6 · 预计 days 25\\l"
            in dot)
    assert "环节 steps 3 · 跑动 trips 1" in dot and "预计 days 3.5" in dot
    assert "before__apply [" in dot and "after__apply [" in dot and "一窗受理" in node_line(dot, "after__apply")
