"""What `onething run --auto` invents for a model it was never given data for, said out loud.

A model drawn for another engine often reads variables its own forms never ask for (an external form
behind a `formKey`, a Java delegate's result): `${approved}`, `${day > 3}`, a timer `${duration}`, a
multi-instance `${coll_userList}`. A real case with such a variable undefined is a case error, and stays
one; only a dry run with `--auto` invents values, and prints each one:

- a multi-instance step without a form: its output item (what each instance leaves behind), the text
  `example`;
- every field of a step's form without a given or example value: a choice its first value, a boolean
  true, a number its minimum (else its maximum, else 1), a date today, text `example` (cut to its length);
- at the start of the case, every variable an expression reads (conditions, timers, loops) that no form
  field, script (`x += 1` reads it first: not provided), multi-instance item or `--data` provides:
  compared with a constant, that constant (`x == 'yes'`: 'yes'; `day > 3`: 4, `day < 3`: 2, so the
  condition holds; a condition on a flow that leads back into a loop is read last, so the invented value
  leaves the loop); compared with null, the text `example`; a timer, a duration `PT1M` (a
  date timer: one minute after the start); a multi-instance collection, `["example-1", "example-2"]`;
  a cardinality, 2; anything else (a flag, `!approved`), true.
"""
from __future__ import annotations

import ast
import math
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from engine.matters.files import Form, FormField
from engine.model import validation as v
from engine.model.types import Model
from engine.runtime.sandbox.guards import sandbox_builtins
from engine.runtime.sandbox.script_engine import ACCESSOR

LOOP_COUNTERS = {"nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances", "loopCounter"}
EXAMPLE_TEXT = "example"
EXAMPLE_LIST = ["example-1", "example-2"]
_KNOWN = set(sandbox_builtins()) | LOOP_COUNTERS | {ACCESSOR}


def field_value(field: FormField, today: str) -> Any:
    """An invented value for one form field that passes its validation, or None (a type that needs real data)."""
    if field.type == "choice" and field.choices:
        return field.choices[0].value
    if field.type == "boolean":
        return True
    if field.type in ("integer", "number"):
        value = field.min if field.min is not None else field.max if field.max is not None else 1
        return math.ceil(value) if field.type == "integer" else value
    if field.type == "date":
        return today
    if field.type == "text":
        return EXAMPLE_TEXT[: field.max_length] if field.max_length else EXAMPLE_TEXT
    return {"phone": "13800138000", "email": "example@example.com"}.get(field.type)


def fill_form(form: Form, given: dict[str, Any] | None, today: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values to complete the step with, the invented ones among them): given, else example, else invented."""
    values, invented = {}, {}
    for field in form.fields:
        if given and field.name in given:
            values[field.name] = given[field.name]
        elif field.example is not None:
            values[field.name] = field.example
        else:
            guess = field_value(field, today)
            if guess is not None:
                values[field.name] = invented[field.name] = guess
    return values, invented


def output_items(model: Model) -> dict[str, str]:
    """{step id: the name of its multi-instance output item}: what each instance's step must leave behind."""
    found = {}
    for item in model.root.iter(v.tag("outputDataItem")):
        loop = item.getparent()
        step = loop.getparent() if loop is not None else None
        name = item.get("id") or item.get("name")  # SpiffWorkflow names the variable by the item's id
        if step is not None and step.get("id") and name:
            found[step.get("id")] = name
    return found


def provided_names(model: Model, forms: list[Form]) -> set[str]:
    """Variables something in the model sets: form fields, names scripts assign, multi-instance items."""
    names = {f.name for form in forms for f in form.fields}
    for _, source, mode, _ in v.expressions(model.root):
        if mode == "exec":
            names |= _assigned(source)
    for local in ("inputDataItem", "outputDataItem"):
        names |= {e.get(key) or "" for e in model.root.iter(v.tag(local)) for key in ("id", "name")}
    names |= {(e.text or "").strip() for e in model.root.iter(v.tag("loopDataOutputRef"))}
    return names - {""}


def invent_case_data(model: Model, forms: list[Form], given: dict[str, Any] | None,
                     start: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """({variable: invented value}, {variable: where it is read}) for the variables expressions read and nothing
    provides; `start` is the case's start time (a date timer's variable gets a time one minute after it)."""
    skip = provided_names(model, forms) | set(given or {}) | _KNOWN
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    for loop in model.root.iter(v.tag("loopDataInputRef")):
        name = (loop.text or "").strip()
        if name and name not in skip and name not in values:
            values[name], where[name] = list(EXAMPLE_LIST), f"multi-instance collection of {v.owner_id(loop)}"
    readers = [(e, source, what) for e, source, mode, what in v.expressions(model.root) if mode == "eval"]
    readers.sort(key=lambda reader: _loops_back(model, reader[0]))  # a value that leaves a loop before one that stays
    for element, source, what in readers:
        kind = etree.QName(element).localname
        for name, guess in _reads(source, what, kind, start).items():
            if name not in skip and name not in values:
                values[name], where[name] = guess, f"{what} of {v.owner_id(element)}"
    return values, where


def _loops_back(model: Model, element: Any) -> bool:
    """True if `element` is the condition of a sequence flow whose target leads back to its source."""
    flow = element.getparent()
    if flow is None or etree.QName(flow).localname != "sequenceFlow":
        return False
    source, seen, todo = flow.get("sourceRef"), set(), [flow.get("targetRef")]
    while todo:
        node = todo.pop()
        if node == source:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(model.flows.get(node, ()))
    return False


def _assigned(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    updated = {n.target.id for n in ast.walk(tree) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} - updated


def _reads(source: str, what: str, kind: str, start: datetime) -> dict[str, Any]:
    """{variable: invented value} for the case variables one expression reads."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return {}
    found: dict[str, Any] = {}
    for node in ast.walk(tree):
        name = _variable_name(node)
        if name is None or name in found:
            continue
        if what == "timer":
            found[name] = (start + timedelta(minutes=1)).isoformat() if kind == "timeDate" else "PT1M"
        elif what == "multi-instance cardinality":
            found[name] = 2
        else:
            found[name] = _guess(tree, node)
    return found


def _variable_name(node: ast.AST) -> str | None:
    """The case variable a node reads: a free name, or case_variable('input')."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in _KNOWN:
        return node.id
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == ACCESSOR
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return None


_BEYOND = {ast.Gt: 1, ast.Lt: -1}  # `x > 3`: 4 makes it true; `3 > x` (x on the right) reverses it


def _guess(tree: ast.AST, node: ast.AST) -> Any:
    """A value for the variable at `node`: the constant it is compared with (just past it for `<`, `>`, so the
    condition holds), null's stand-in `example`, else true."""
    for parent in ast.walk(tree):
        if not isinstance(parent, ast.Compare) or len(parent.ops) != 1:
            continue
        left, right = parent.left, parent.comparators[0]
        if node is not left and node is not right:
            continue
        other = right if node is left else left
        if not isinstance(other, ast.Constant):
            continue
        value = other.value
        if value is None:
            return EXAMPLE_TEXT
        step = _BEYOND.get(type(parent.ops[0]), 0) * (1 if node is left else -1)
        if step and isinstance(value, (int, float)) and not isinstance(value, bool):
            return value + step
        return value
    return True
