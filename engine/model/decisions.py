"""The DMN stage of loading: each businessRuleTask's decision, found in the DMN files given with the model.

A businessRuleTask names its decision SpiffWorkflow's way (`spiffworkflow:calledDecisionId`), Camunda 7's
(`camunda:decisionRef`, with `camunda:resultVariable` and `camunda:mapDecisionResult`) or Zeebe's
(`zeebe:calledDecision decisionId=... resultVariable=...`). The DMN files are those beside the model in its
matter directory (`dmn_files_beside`), or those stored with its deployed version. Only the files holding a decision
the model uses (and the decisions those require) are read, checked and kept (`Model.decision_files`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.model import validation as v
from engine.model.dmn_engine import MAPPINGS, DecisionEngine
from engine.model.dmn_tables import Decision, read_decisions
from engine.model.parser import OneThingParser
from engine.model.problems import Problem
from engine.model.xmlsafe import MAX_BYTES
from engine.text import Text

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
MAX_DMN_FILES = 50


def dmn_files_beside(model_path: str | Path) -> dict[str, bytes]:
    """The DMN files in the directory of a model file, by path (sorted); {} when there are none."""
    found = {}
    for path in sorted(Path(model_path).parent.glob("*.dmn"))[:MAX_DMN_FILES]:
        with path.open("rb") as handle:
            found[str(path)] = handle.read(MAX_BYTES + 1)  # one byte over the limit at most: parse_xml refuses it
    return found


def _reference(node: Any) -> tuple[str | None, str | None, str | None]:
    """(decision id, result variable, mapping) of a businessRuleTask, whichever way it is written."""
    spiff = node.xpath("./bpmn:extensionElements/spiffworkflow:calledDecisionId", namespaces=v.NS)
    if spiff and (spiff[0].text or "").strip():
        return spiff[0].text.strip(), None, None
    if node.get(f"{{{CAMUNDA}}}decisionRef"):
        return (node.get(f"{{{CAMUNDA}}}decisionRef"), node.get(f"{{{CAMUNDA}}}resultVariable"),
                node.get(f"{{{CAMUNDA}}}mapDecisionResult"))
    zeebe = node.xpath("./bpmn:extensionElements/*[local-name()='calledDecision']", namespaces=v.NS)
    if zeebe and zeebe[0].get("decisionId"):
        return zeebe[0].get("decisionId"), zeebe[0].get("resultVariable"), "zeebe"
    return None, None, None


def _needed(decisions: dict[str, Decision], start: str) -> list[str]:
    """`start` and every decision it requires, transitively."""
    order, todo = [], [start]
    while todo:
        current = todo.pop()
        if current in order or current not in decisions:
            continue
        order.append(current)
        todo.extend(decisions[current].required)
    return order


class DecisionSet:
    """The decisions one model uses, read from its DMN files; `problems` says what is wrong."""

    def __init__(self, root: Any, filename: str, dmn_files: dict[str, bytes] | None) -> None:
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.references: dict[str, tuple[str, str | None, str | None]] = {}
        self.decisions: dict[str, Decision] = {}
        tasks = list(root.iter(v.tag("businessRuleTask")))
        if not tasks:
            return
        found: dict[str, Decision] = {}
        file_problems: dict[str, list[Problem]] = {}
        for name, data in (dmn_files or {}).items():
            decisions, problems = read_decisions(data, name)
            file_problems[name] = problems
            for decision_id, decision in decisions.items():
                found.setdefault(decision_id, decision)
        searched = ", ".join(Path(name).name for name in dmn_files or {}) or "none beside the model"
        for node in tasks:
            self._resolve(node, filename, found, searched)
        for decision_id in list(self.decisions):
            for required in self.decisions[decision_id].required:
                if required not in found:
                    d = self.decisions[decision_id]
                    self.problems.append(Problem(d.filename, d.line, d.id, Text(
                        "requires decision %(decision)s, which no DMN file defines", decision=repr(required))))
        self.files = sorted({d.filename for d in self.decisions.values()})
        self.problems += [p for name in self.files for p in file_problems[name]]

    def _resolve(self, node: Any, filename: str, found: dict[str, Decision], searched: str) -> None:
        decision_id, variable, mapping = _reference(node)
        task_id = node.get("id")
        if decision_id is None:
            self.problems.append(Problem(filename, node.sourceline, task_id, Text(
                "business rule task names no decision: add spiffworkflow:calledDecisionId, camunda:decisionRef or "
                "zeebe:calledDecision")))
        elif decision_id not in found:
            self.problems.append(Problem(filename, node.sourceline, task_id, Text(
                "decision %(decision)s not found in the DMN files (searched: %(searched)s)",
                decision=repr(decision_id), searched=searched)))
        elif mapping is not None and mapping not in MAPPINGS:
            self.problems.append(Problem(filename, node.sourceline, task_id, Text(
                "camunda:mapDecisionResult %(mapping)s is not one of %(known)s", mapping=repr(mapping),
                known=", ".join(MAPPINGS[:-1]))))
        else:
            self.references[task_id] = (decision_id, variable, mapping)
            for needed in _needed(found, decision_id):
                self.decisions[needed] = found[needed]

    def parser(self) -> OneThingParser:
        """A fresh SpiffWorkflow parser whose businessRuleTasks run these decisions."""
        return _DecisionParser(self) if self.references else OneThingParser()


class _DecisionParser(OneThingParser):
    def __init__(self, decisions: DecisionSet) -> None:
        super().__init__()
        self.decision_set = decisions

    def get_engine(self, decision_ref: str | None, node: Any) -> DecisionEngine:
        decision_id, variable, mapping = self.decision_set.references[node.get("id")]
        decisions = self.decision_set.decisions
        return DecisionEngine(decisions[decision_id], decisions, variable, mapping)


def stored_decisions(model: Any, dmn_files: dict[str, bytes]) -> tuple[str | None, list[Problem]]:
    """The DMN files a model uses as stored with its version: JSON {file name: XML text} (None: no DMN)."""
    stored, problems = {}, []
    for name in model.decision_files:
        try:
            stored[Path(name).name] = dmn_files[name].decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None, Text("a DMN file must be UTF-8: %(reason)s at byte %(byte)s",
                                                           reason=exc.reason, byte=exc.start)))
    return (json.dumps(stored, sort_keys=True, ensure_ascii=False) if stored else None), problems


def decisions_from_stored(text: str | None, matter_id: str) -> dict[str, bytes] | None:
    """The DMN files of a stored version, named `<matter>/<file>` (as their problems and errors say)."""
    if not text:
        return None
    return {f"{matter_id}/{name}": xml.encode("utf-8") for name, xml in json.loads(text).items()}
