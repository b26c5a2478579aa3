"""Drawings in the page's language: English from name_en and matter.yaml, Chinese by default, one language a legend."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from diagram_helpers import REPO

from diagrams.render import render_diagram
from diagrams.spec import load_diagram
from web.cli import cli

NEWBORN = REPO / "processes" / "newborn" / "after.bpmn"
CHINESE = re.compile("[\u4e00-\u9fff]")
ENGLISH_STEPS = {"start": "Start", "gw_delivery": "Where was the child born?",
                 "call_birth_registration": "Police birth (hukou) registration (shared sub-process)",
                 "enrol_medical_insurance": "Enrol in medical insurance from shared data"}


def test_english_names_steps_events_and_gateways_from_name_en():
    diagram = load_diagram(NEWBORN.read_bytes(), str(NEWBORN), "en")
    assert {k: diagram.nodes[k].name for k in ENGLISH_STEPS} == ENGLISH_STEPS
    assert [n.name for n in diagram.nodes.values() if CHINESE.search(n.name)] == []  # every node carries name_en
    dot = render_diagram(diagram).source
    assert "Where was the" in dot and "公安局" in dot  # lanes keep their Chinese name unless the caller knows better


def test_chinese_is_the_default_and_lanes_and_pool_take_the_callers_names():
    chinese = load_diagram(NEWBORN.read_bytes(), str(NEWBORN))
    assert chinese.nodes["start"].name == "开始" and chinese.nodes["gw_delivery"].name == "分娩地点？"
    renamed = load_diagram(NEWBORN.read_bytes(), str(NEWBORN), "en", {"police": "Public Security Bureau", "x": "?"},
                           "Newborn birth")
    assert renamed.lane_names()["police"] == "Public Security Bureau" and renamed.pools[0].name == "Newborn birth"
    assert renamed.lane_names()["health"] == "卫生健康委"  # no name given: the file's own


def test_render_lang_en_draws_a_matter_in_english(tmp_path: Path):
    out, zh = tmp_path / "en.svg", tmp_path / "zh.svg"
    runner = CliRunner()
    result = runner.invoke(cli, ["render", "newborn", "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["render", str(NEWBORN), "-o", str(zh)]).exit_code == 0
    texts = re.findall(r">([^<>]+)</text>", out.read_text(encoding="utf-8"))
    assert {"Start", "Where was the", "Applicant", "Public Security Bureau (police station)",
            "Newborn birth"} <= set(texts)
    assert not {"开始", "公安局", "申请人"} & set(texts)
    chinese = set(re.findall(r">([^<>]+)</text>", zh.read_text(encoding="utf-8")))
    assert {"开始", "公安局", "申请人"} <= chinese and "Start" not in chinese
