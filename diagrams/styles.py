"""The one style table of every drawing, keyed by meaning, plus markers and the heat scale."""
from __future__ import annotations

FONT = "Noto Sans CJK SC"

STYLES: dict[str, dict[str, str]] = {
    # whole graph and defaults
    "graph": {"rankdir": "LR", "fontname": FONT, "fontsize": "12", "nodesep": "0.35", "ranksep": "0.45",
              "compound": "true", "newrank": "true", "labeljust": "l"},
    "node": {"fontname": FONT, "fontsize": "10"},
    "edge": {"fontname": FONT, "fontsize": "9", "color": "#555555"},
    # containers
    "pool": {"style": "rounded", "color": "#333333", "fontsize": "13", "penwidth": "1.4"},
    "lane": {"style": "filled", "fillcolor": "#f7f9fc", "color": "#9aa7b8", "fontsize": "11"},
    "subprocess": {"style": "rounded", "color": "#333333", "fontsize": "10"},
    "black_box": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "width": "1.6"},
    # BPMN elements
    "start_event": {"shape": "circle", "width": "0.42", "fixedsize": "true", "penwidth": "1",
                    "style": "filled", "fillcolor": "white"},
    "intermediate_event": {"shape": "doublecircle", "width": "0.36", "fixedsize": "true",
                           "style": "filled", "fillcolor": "white"},
    "boundary_event": {"shape": "doublecircle", "width": "0.3", "fixedsize": "true", "style": "filled,dashed",
                       "fillcolor": "white"},
    "end_event": {"shape": "circle", "width": "0.42", "fixedsize": "true", "penwidth": "3.5",
                  "style": "filled", "fillcolor": "white"},
    "gateway": {"shape": "diamond", "width": "0.5", "height": "0.5", "fixedsize": "true", "fontsize": "12",
                "style": "filled", "fillcolor": "white"},
    "task": {"shape": "box", "style": "rounded,filled", "fillcolor": "white", "width": "1.3", "height": "0.7",
             "margin": "0.08,0.04"},
    "call_activity": {"penwidth": "3"},
    "collapsed_subprocess": {"peripheries": "1", "style": "rounded,filled,bold"},
    # flows
    "sequence_flow": {"arrowhead": "normal", "arrowsize": "0.7"},
    "default_flow": {"dir": "both", "arrowtail": "tee", "arrowsize": "0.7"},
    "conditional_flow": {"dir": "both", "arrowtail": "odiamond", "arrowsize": "0.7"},
    "message_flow": {"style": "dashed", "dir": "both", "arrowtail": "odot", "arrowhead": "empty",
                     "constraint": "false", "color": "#3b6ea5"},
    "attachment": {"style": "dotted", "arrowhead": "none", "color": "#999999"},
    # case overlay: what a case did
    "completed": {"fillcolor": "#c7e9c0", "color": "#238b45"},
    "ready": {"fillcolor": "#fff3b0", "color": "#d4a017", "penwidth": "2.5"},
    "waiting": {"fillcolor": "#deebf7", "color": "#3182bd", "penwidth": "2"},
    "overdue": {"fillcolor": "#fcbba1", "color": "#cb181d", "penwidth": "2.5"},
    "not_reached": {"fillcolor": "#f5f5f5", "color": "#bbbbbb", "fontcolor": "#999999"},
    "taken": {"penwidth": "3", "color": "#238b45"},
    # legends and headlines
    "legend": {"style": "rounded", "color": "#999999", "fontsize": "10"},
    "legend_item": {"shape": "box", "style": "rounded,filled", "fontsize": "9", "width": "1.0", "height": "0.3"},
    "headline": {"style": "rounded", "color": "#222222", "fontsize": "15", "penwidth": "1.5", "labelloc": "t",
                 "labeljust": "l"},
    "missing": {"fillcolor": "#ffffff"},
}

STATE_LABELS = {"completed": {"zh": "已完成", "en": "completed"}, "ready": {"zh": "待办", "en": "ready"},
                "waiting": {"zh": "等待", "en": "waiting"}, "overdue": {"zh": "超时", "en": "overdue"},
                "not_reached": {"zh": "未到达", "en": "not reached"}}

# What kind of element a step is, as its tooltip says after its name (the BPMN tag where there is no word for it).
KIND_WORDS = {
    "startEvent": {"zh": "开始事件", "en": "start event"}, "endEvent": {"zh": "结束事件", "en": "end event"},
    "userTask": {"zh": "人工环节", "en": "user task"}, "manualTask": {"zh": "线下环节", "en": "manual task"},
    "scriptTask": {"zh": "自动环节", "en": "script task"}, "serviceTask": {"zh": "系统环节", "en": "service task"},
    "businessRuleTask": {"zh": "规则判断", "en": "business rule task"}, "task": {"zh": "环节", "en": "task"},
    "sendTask": {"zh": "发送环节", "en": "send task"}, "receiveTask": {"zh": "接收环节", "en": "receive task"},
    "callActivity": {"zh": "调用子流程", "en": "call activity"}, "subProcess": {"zh": "子流程", "en": "sub-process"},
    "exclusiveGateway": {"zh": "排他网关", "en": "exclusive gateway"},
    "parallelGateway": {"zh": "并行网关", "en": "parallel gateway"},
    "inclusiveGateway": {"zh": "包容网关", "en": "inclusive gateway"},
    "eventBasedGateway": {"zh": "事件网关", "en": "event-based gateway"},
    "intermediateCatchEvent": {"zh": "中间捕获事件", "en": "intermediate catch event"},
    "intermediateThrowEvent": {"zh": "中间抛出事件", "en": "intermediate throw event"},
    "boundaryEvent": {"zh": "边界事件", "en": "boundary event"},
}

# Every other word a drawing writes itself (legends, headlines, notes), in the drawing's one language.
WORDS = {
    "legend": {"zh": "图例", "en": "Legend"},
    "path_taken": {"zh": "━ 已走路径", "en": "━ path taken"},
    "median_duration": {"zh": "中位耗时", "en": "Median duration"},
    "frequency": {"zh": "频次", "en": "Frequency"},
    "median": {"zh": "中位 %s", "en": "median %s"},
    "times": {"zh": "%s 次", "en": "%s times"},
    "hours": {"zh": "%s 小时", "en": "%s h"},
    "before": {"zh": "改革前", "en": "Before"},
    "after": {"zh": "改革后", "en": "After"},
    "steps": {"zh": "环节", "en": "steps"},
    "trips": {"zh": "跑动", "en": "trips"},
    "materials": {"zh": "材料", "en": "materials"},
    "departments": {"zh": "部门", "en": "departments"},
    "expected_days": {"zh": "预计天数", "en": "expected days"},
}


def word(key: str, lang: str) -> str:
    """A drawing's own word in `lang` ("zh" or "en"; anything else reads as Chinese)."""
    return WORDS[key].get(lang) or WORDS[key]["zh"]

# ColorBrewer-style YlOrRd, 7 classes: short durations pale yellow, long ones dark red.
HEAT_SCALE = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]
HEAT_DARK_FROM = 5  # from this class on, labels are drawn in white

EVENT_MARKERS = {"timer": "◷", "message": "✉", "signal": "△", "error": "⚡", "escalation": "⇑",
                 "conditional": "≡", "link": "→", "compensation": "«", "terminate": "●", "cancel": "✕",
                 "multiple": "⬠", "parallelMultiple": "+"}
GATEWAY_MARKERS = {"exclusive": "×", "parallel": "+", "inclusive": "○", "eventBased": "⬠", "complex": "✱"}
TASK_MARKERS = {"user": "☺", "manual": "☚", "service": "⚙", "send": "✉➜", "receive": "➜✉", "script": "☰",
                "businessRule": "▦", "callActivity": "", "subProcess": "", "transaction": "", "task": ""}


def style(*meanings: str) -> dict[str, str]:
    """Merge the styles of several meanings, later ones winning."""
    merged: dict[str, str] = {}
    for meaning in meanings:
        merged.update(STYLES.get(meaning, {}))
    return merged


def heat_colour(value: float, low: float, high: float) -> str:
    """The heat-scale colour of a value between low and high."""
    if high <= low:
        return HEAT_SCALE[0]
    i = int((value - low) / (high - low) * len(HEAT_SCALE))
    return HEAT_SCALE[min(max(i, 0), len(HEAT_SCALE) - 1)]
