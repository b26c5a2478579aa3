"""Run a checked decision table (`engine.model.dmn_tables.Decision`) for a businessRuleTask, in the sandbox.

Every input test and output entry is evaluated by the workflow's script engine (our SandboxScriptEngine), never
by `eval`. Hit policies: UNIQUE (two matching rules stop the case with an error naming them), FIRST, ANY (the
matching rules must agree), COLLECT (a list per output, or its SUM, COUNT, MIN or MAX), RULE ORDER (a list per
output, in rule order). Decisions a table requires (a DRD's informationRequirement) are decided first and their
outputs are visible to its input expressions (None where it matched no rule).

Where the result goes:
- SpiffWorkflow's way (spiffworkflow:calledDecisionId, or camunda:decisionRef without resultVariable): the outputs
  are merged into the task data by name (`a.b` nests); COLLECT and RULE ORDER give lists; no match, no change.
- Camunda 7's camunda:resultVariable with camunda:mapDecisionResult: resultList (the default; a list of
  {output: value}), singleResult ({output: value} or None), singleEntry (the value or None), collectEntries
  (the list of the one output's values).
- Zeebe's zeebe:calledDecision resultVariable: the value (one output) or {output: value} (several); a list of
  those for COLLECT and RULE ORDER; None without a match.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.model import DecisionTable
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine.model.dmn_tables import Decision, TableRule

MAPPINGS = ("resultList", "singleResult", "singleEntry", "collectEntries", "zeebe")
_LISTS = ("COLLECT", "RULE ORDER")


def _nest(name: str, value: Any) -> dict[str, Any]:
    head, _, rest = name.partition(".")
    return {head: _nest(rest, value) if rest else value}


def _aggregate(how: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if how == "COUNT":
        return len(present)
    if how == "SUM":
        return sum(present)
    if not present:
        return None
    return min(present) if how == "MIN" else max(present)


class DecisionEngine(DMNEngine):
    """SpiffWorkflow's DMNEngine interface (`result(task)`), with our tables and hit policies."""

    def __init__(self, decision: Decision, decisions: dict[str, Decision], result_variable: str | None = None,
                 mapping: str | None = None) -> None:
        super().__init__(DecisionTable(decision.id, decision.name, decision.hit_policy))
        self.decision, self.decisions = decision, decisions
        self.result_variable, self.mapping = result_variable, mapping or "resultList"

    def _error(self, task: Any, message: str, decision: Decision, rule: TableRule | None = None) -> Exception:
        where = f"rule {rule.number} ({decision.filename}:{rule.line})" if rule else f"{decision.filename}"
        error = WorkflowTaskException(f"decision {decision.id}: {message}", task=task)
        error.add_note(f"decision table {decision.name!r}, {where}")
        return error

    def _evaluate(self, task: Any, expression: str, scope: dict[str, Any], decision: Decision,
                  rule: TableRule | None) -> Any:
        try:
            return task.workflow.script_engine.evaluate(task, expression, external_context=scope)
        except Exception as exc:  # noqa: BLE001 - said with the rule it happened in
            raise self._error(task, f"{type(exc).__name__}: {exc}", decision, rule) from exc

    def _matches(self, task: Any, decision: Decision, scope: dict[str, Any]) -> list[tuple[TableRule, dict]]:
        found = []
        for rule in decision.rules:
            if all(test is None or self._evaluate(task, test, scope, decision, rule) for test in rule.tests):
                outputs = {name: (None if expr is None else self._evaluate(task, expr, scope, decision, rule))
                           for name, expr in zip(decision.outputs, rule.outputs, strict=False)}
                found.append((rule, outputs))
                if decision.hit_policy == "FIRST":
                    break
        return found

    def _results(self, task: Any, decision: Decision, seen: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The matched rules' outputs, one dict per result, after the hit policy."""
        scope: dict[str, Any] = {}
        for required in decision.required:
            if required in self.decisions and required not in seen:  # no match: its outputs are None (null)
                scope.update({name.partition(".")[0]: None for name in self.decisions[required].outputs})
                scope.update(self._merged(task, self.decisions[required], (*seen, decision.id)))
        matches = self._matches(task, decision, scope)
        policy = decision.hit_policy
        if policy == "UNIQUE" and len(matches) > 1:
            rules = ", ".join(f"{r.number} (line {r.line})" for r, _ in matches)
            raise self._error(task, f"hit policy UNIQUE, but rules {rules} all match", decision)
        if policy == "ANY" and any(out != matches[0][1] for _, out in matches):
            rules = ", ".join(str(r.number) for r, _ in matches)
            raise self._error(task, f"hit policy ANY, but matching rules {rules} give different outputs", decision)
        if policy in _LISTS and decision.aggregation:
            return [{name: _aggregate(decision.aggregation, [out[name] for _, out in matches])
                     for name in decision.outputs}]
        results = [out for _, out in matches]
        return results if policy in _LISTS else results[:1]

    def _merged(self, task: Any, decision: Decision, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        """SpiffWorkflow's shape: {output: value}, or {output: [values]} for COLLECT and RULE ORDER."""
        results = self._results(task, decision, seen)
        if decision.hit_policy in _LISTS and not decision.aggregation:
            flat = {name: [r[name] for r in results] for name in decision.outputs}
        else:
            flat = results[0] if results else {}
        merged: dict[str, Any] = {}
        for name, value in flat.items():
            merged = DeepMerge.merge(merged, _nest(name, value))
        return merged

    def _mapped(self, task: Any, results: list[dict[str, Any]]) -> Any:
        decision, mapping = self.decision, self.mapping
        single_output = len(decision.outputs) == 1
        if mapping == "zeebe":
            values = [r[decision.outputs[0]] if single_output else r for r in results]
            return values if decision.hit_policy in _LISTS and not decision.aggregation else next(iter(values), None)
        if mapping in ("singleResult", "singleEntry") and len(results) > 1:
            raise self._error(task, f"mapDecisionResult {mapping} needs at most one result, got {len(results)}",
                              decision)
        if mapping in ("singleEntry", "collectEntries") and not single_output:
            raise self._error(task, f"mapDecisionResult {mapping} needs a table with one output", decision)
        if mapping == "singleResult":
            return next(iter(results), None)
        if mapping == "singleEntry":
            return results[0][decision.outputs[0]] if results else None
        if mapping == "collectEntries":
            return [r[decision.outputs[0]] for r in results]
        return results

    def result(self, task: Any) -> dict[str, Any]:
        """What SpiffWorkflow merges into the task data (the result variable is set here, replacing any old value)."""
        if self.result_variable:
            task.data[self.result_variable] = self._mapped(task, self._results(task, self.decision))
            return {}
        return self._merged(task, self.decision)
