"""matter.yaml loaded into frozen dataclasses, checked by `engine.matters.schema` and `engine.matters.checks`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from engine.errors import ModelError
from engine.matters.checks import cross_check, problems_at
from engine.matters.messages import flatten_messages
from engine.matters.schema import STRING_TYPES, MatterSchema
from engine.model.problems import Problem
from engine.text import Text


@dataclass(frozen=True)
class Names:
    zh: str
    en: str


@dataclass(frozen=True)
class Department:
    id: str
    names: Names


@dataclass(frozen=True)
class Material:
    id: str
    names: Names
    after: str  # applicant | shared | e_certificate | not_needed


@dataclass(frozen=True)
class Choice:
    value: str
    labels: Names


@dataclass(frozen=True)
class FormField:
    """One field of a form."""

    name: str
    type: str
    required: bool
    labels: Names
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    example: Any = None
    past: bool = False  # a date that cannot be later than today (China's date by the engine's clock)


@dataclass(frozen=True)
class Form:
    id: str
    names: Names
    filled_by: str  # applicant | clerk
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class Source:
    """A published figure the models reproduce, with where it was published."""

    figure: str
    variant: str
    value: float
    scope: str
    place: str
    source: str
    unit: str | None = None
    place_zh: str | None = None
    source_zh: str | None = None
    unit_zh: str | None = None
    url: str | None = None

    def shown(self, lang: str) -> tuple[str, str, str | None]:
        """(place, citation, unit) in `lang`: the Chinese the matter gives for zh, else its English."""
        if lang == "zh":
            return self.place_zh or self.place, self.source_zh or self.source, self.unit_zh or self.unit
        return self.place, self.source, self.unit


@dataclass(frozen=True)
class Scenario:
    name: str
    variant: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Matter:
    """A matter as declared in processes/<matter>/matter.yaml; `raw` is the file's bytes."""

    id: str
    names: Names
    category: str
    departments: tuple[Department, ...]
    materials: tuple[Material, ...]
    time_limits: dict[str, float]
    forms: dict[str, Form]
    sources: tuple[Source, ...]
    basis: str | None
    scenarios: tuple[Scenario, ...]
    directory: Path
    raw: bytes

    def material(self, material_id: str) -> Material | None:
        """The material with this id, or None."""
        return next((m for m in self.materials if m.id == material_id), None)

    def department_ids(self) -> set[str]:
        """Ids of the declared departments (not Applicant)."""
        return {d.id for d in self.departments}


def _normalize_value(kind: str, value: Any) -> Any:
    # YAML reads 2024-01-01 as a date and unquoted digits as int; forms take strings for these types.
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind in STRING_TYPES and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _names(d: dict[str, str]) -> Names:
    return Names(d["zh"], d["en"])


def _build_field(d: dict[str, Any]) -> FormField:
    choices = tuple(Choice(c["value"], _names(c["labels"])) for c in d.get("choices", ()))
    return FormField(d["name"], d["type"], d["required"], _names(d["labels"]), d.get("max_length"),
                     d.get("min"), d.get("max"), choices, _normalize_value(d["type"], d.get("example")),
                     d.get("past", False))


def _build(d: dict[str, Any], directory: Path, raw: bytes) -> Matter:
    forms = {fid: Form(fid, _names(f["names"]), f["filled_by"], tuple(_build_field(x) for x in f["fields"]))
             for fid, f in d["forms"].items()}
    types = {x.name: x.type for form in forms.values() for x in form.fields}
    scenarios = tuple(Scenario(s["name"], s["variant"],
                               {k: _normalize_value(types.get(k, ""), v) for k, v in s["data"].items()})
                      for s in d["scenarios"])
    limits = {k: _whole(v) for k, v in d["time_limits"].items()}
    return Matter(
        id=d["id"], names=_names(d["names"]), category=d["category"],
        departments=tuple(Department(x["id"], _names(x["names"])) for x in d["departments"]),
        materials=tuple(Material(x["id"], _names(x["names"]), x["after"]) for x in d["materials"]),
        time_limits=limits, forms=forms,
        sources=tuple(Source(**{**x, "value": _whole(x["value"])}) for x in d["sources"]), basis=d.get("basis"),
        scenarios=scenarios, directory=directory, raw=raw,
    )


def parse_matter(raw: bytes, directory: Path, filename: str) -> Matter:
    """Validate matter.yaml bytes; raise ModelError with one Problem per mistake."""
    try:
        text = raw.decode("utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ModelError([Problem(filename, None, None, Text("not UTF-8: %(reason)s", reason=exc.reason))]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ModelError([Problem(filename, line, None, Text("not valid YAML: %(reason)s",
                                                             reason=str(getattr(exc, "problem", exc))))]) from None
    except (RecursionError, MemoryError):
        raise ModelError([Problem(filename, None, None,
                                  Text("matter.yaml is nested too deeply or too large"))]) from None
    if not isinstance(data, dict):
        raise ModelError([Problem(filename, 1, None, Text("matter.yaml must be a mapping of fields"))])
    try:
        loaded = MatterSchema().load(data)
    except ValidationError as exc:
        raise ModelError(problems_at(flatten_messages(exc.messages), _nodes(text), filename)) from None
    matter = _build(loaded, directory, raw)
    found = cross_check(loaded, matter)
    if found:
        raise ModelError(problems_at(found, _nodes(text), filename))
    return matter


def _nodes(text: str) -> yaml.Node | None:
    """The YAML node tree of text that parsed, for the line numbers of its problems: built only when there
    are problems (it costs as much as the parse itself, half of a `onething check` of one model)."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_matter(directory: str | Path) -> Matter:
    """Load and validate <directory>/matter.yaml."""
    directory = Path(directory)
    path = directory / "matter.yaml"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelError([Problem(str(path), None, None, f"cannot read: {exc.strerror}")]) from None
    return parse_matter(raw, directory.resolve(), str(path))


def find_matters(root: str | Path) -> list[Matter]:
    """Load every processes/<matter>/matter.yaml under `root`, sorted by id."""
    return [load_matter(p.parent) for p in sorted(Path(root).glob("*/matter.yaml"))]
