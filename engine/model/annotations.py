"""Step annotations (spiffworkflow:properties) and their rules; see docs/modeling.md. (Owner: process library.)"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.model.problems import Problem
from engine.model.types import Model, StepInfo
from engine.text import Listed, Text
from engine.vocabulary import APPLICANT

if TYPE_CHECKING:  # pragma: no cover - import for type hints only
    from engine.matters.files import Matter

PROPERTY_NAMES = ("name_en", "trip", "materials", "form", "duration", "time_limit")
HOURS_PER_DAY = 8.0
_DURATION_ARITY = {"fixed": 1, "uniform": 2, "triangular": 3}
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)([hd])$")


@dataclass(frozen=True)
class Duration:
    """How long a step takes, as a distribution over working hours."""

    kind: str  # fixed | uniform | triangular
    values: tuple[float, ...]  # working hours: (x,), (low, high) or (low, mode, high)

    @property
    def mean_hours(self) -> float:
        """Expected duration in working hours."""
        return sum(self.values) / len(self.values)

    @property
    def mean_days(self) -> float:
        """Expected duration in working days (8 working hours a day)."""
        return self.mean_hours / HOURS_PER_DAY

    def sample(self, rng: random.Random) -> float:
        """Draw one duration in working hours."""
        if self.kind == "fixed":
            return self.values[0]
        if self.kind == "uniform":
            return rng.uniform(self.values[0], self.values[1])
        low, mode, high = self.values
        return rng.triangular(low, high, mode)


def _parse_amount(text: str) -> float:
    match = _AMOUNT.match(text)
    if not match:
        raise ValueError(Text("'%(text)s' is not a number with unit h or d (e.g. 4h, 1.5d)", text=text))
    number = float(match.group(1))
    return number * HOURS_PER_DAY if match.group(2) == "d" else number


def parse_duration(text: str) -> Duration:
    """Parse `fixed X`, `uniform A B` or `triangular MIN MODE MAX` (values like 4h or 2d)."""
    words = text.split()
    if not words or words[0] not in _DURATION_ARITY:
        raise ValueError(Text("duration '%(text)s' must start with fixed, uniform or triangular", text=text))
    kind, amounts = words[0], words[1:]
    if len(amounts) != _DURATION_ARITY[kind]:
        raise ValueError(Text("duration '%(text)s': %(kind)s takes %(count)s value(s), got %(got)s", text=text,
                              kind=kind, count=_DURATION_ARITY[kind], got=len(amounts)))
    values = tuple(_parse_amount(a) for a in amounts)
    if list(values) != sorted(values):
        raise ValueError(Text("duration '%(text)s': values must be in increasing order", text=text))
    return Duration(kind, values)


def parse_trip(text: str) -> bool:
    """Parse the trip property: exactly `true` or `false`."""
    if text not in ("true", "false"):
        raise ValueError(Text("trip must be true or false, not '%(text)s'", text=text))
    return text == "true"


def parse_time_limit(text: str) -> int:
    """Parse a time limit: a positive whole number of working days."""
    if not re.fullmatch(r"\d+", text.strip()) or int(text) <= 0:
        raise ValueError(Text("time_limit must be a positive whole number of working days, not '%(text)s'", text=text))
    return int(text)


def parse_materials(text: str) -> tuple[str, ...]:
    """Split a comma-separated list of material ids."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class StepAnnotations:
    """What a step's properties say, parsed; malformed values read as absent (check_model reports them)."""

    name_en: str | None
    trip: bool
    materials: tuple[str, ...]
    form: str | None
    duration: Duration | None
    time_limit: int | None


def _lenient(parse: Any, text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return parse(text)
    except ValueError:
        return default


def parse_step(step: StepInfo) -> StepAnnotations:
    """Read a step's OneThing properties."""
    props = step.properties
    return StepAnnotations(
        name_en=(props.get("name_en") or "").strip() or None,
        trip=_lenient(parse_trip, props.get("trip"), False),
        materials=parse_materials(props.get("materials") or ""),
        form=(props.get("form") or "").strip() or None,
        duration=_lenient(parse_duration, props.get("duration"), None),
        time_limit=time_limit_of(step),
    )


def time_limit_of(step: StepInfo) -> int | None:
    """A step's promised working days (None without a readable `time_limit`): what deadlines read, on every move."""
    return _lenient(parse_time_limit, step.properties.get("time_limit"), None)


def uses_onething(model: Model) -> bool:
    """True when any step carries a OneThing property (foreign files carry none)."""
    return any(name in step.properties for step in model.steps.values() for name in PROPERTY_NAMES)


def _value_problems(step: StepInfo) -> list[str]:
    messages: list[str] = []
    for name in step.properties:
        if name not in PROPERTY_NAMES:
            messages.append(Text("unknown property '%(name)s' (allowed: %(names)s)", name=name,
                                 names=Listed(PROPERTY_NAMES)))
    parsers = {"trip": parse_trip, "duration": parse_duration, "time_limit": parse_time_limit}
    for name, parse in parsers.items():
        if name in step.properties:
            try:
                parse(step.properties[name] or "")
            except ValueError as exc:
                messages.append(exc.args[0] if exc.args else str(exc))  # a Text: keep it
    return messages


def _required_problems(step: StepInfo, notes: StepAnnotations, vendor_form: bool) -> list[str]:
    messages: list[str] = []
    if notes.name_en is None:
        messages.append(Text("step has no name_en property (its English name)"))
    if step.kind == "userTask" and notes.form is None and not vendor_form:
        messages.append(Text("userTask has no form property"))
    if step.department is None:
        messages.append(Text("step is outside every lane"))
    return messages


def _matter_problems(notes: StepAnnotations, matter: Matter) -> list[str]:
    messages: list[str] = []
    materials = {m.id for m in matter.materials}
    for material in notes.materials:
        if material not in materials:
            messages.append(Text("unknown material '%(material)s' (not in matter.yaml of '%(matter)s')",
                                 material=material, matter=matter.id))
    if notes.form is not None and notes.form not in matter.forms:
        messages.append(Text("unknown form '%(form)s' (not in matter.yaml of '%(matter)s')", form=notes.form,
                             matter=matter.id))
    return messages


def _lane_problems(model: Model, matter: Matter) -> list[Problem]:
    departments = {d.id for d in matter.departments}
    problems = []
    for lane_id in model.lanes:
        if lane_id != APPLICANT and lane_id not in departments:
            nodes = model.root.xpath("//*[local-name()='lane'][@id=$id]", id=lane_id)
            line = nodes[0].sourceline if nodes else None
            message = Text("lane '%(lane)s' is not a department of '%(matter)s' in matter.yaml (nor Applicant)",
                           lane=lane_id, matter=matter.id)
            problems.append(Problem(model.filename, line, lane_id, message))
    return problems


def check_model(model: Model, matter: Matter | None = None) -> list[Problem]:
    """Check the model's step annotations against docs/modeling.md (and the matter, if given)."""
    if matter is None and not uses_onething(model):
        return []
    problems: list[Problem] = []
    for step in model.steps.values():
        notes = parse_step(step)
        messages = _value_problems(step) + _required_problems(step, notes, step.id in model.forms)
        if matter is not None:
            messages += _matter_problems(notes, matter)
        problems += [Problem(model.filename, step.line, step.id, m) for m in messages]
    if matter is not None:
        problems += _lane_problems(model, matter)
    return problems
