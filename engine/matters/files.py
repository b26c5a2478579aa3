"""matter.yaml: its schema, its loading into frozen dataclasses, and its problems with line numbers."""
from __future__ import annotations

import datetime as dt
import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.errors import InputError, ModelError
from engine.matters.messages import Path_, flatten_messages
from engine.model.problems import Problem

APPLICANT = "Applicant"
VARIANTS = ("before", "after")
FIELD_TYPES = ("text", "integer", "number", "date", "boolean", "choice", "resident_id", "phone", "email")
STRING_TYPES = ("text", "choice", "resident_id", "phone", "email")
MATERIAL_AFTER = ("applicant", "shared", "e_certificate", "not_needed")
FIGURES = ("steps", "applicant_steps", "trips", "materials", "submissions", "forms", "departments",
           "handoffs", "expected_days", "time_limit_days")
_ID = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="must be lower-case ASCII letters, digits and underscores")
_TEXT = validate.Length(min=1)


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


class NamesSchema(Schema):
    zh = fields.Str(required=True, validate=_TEXT)
    en = fields.Str(required=True, validate=_TEXT)


class DepartmentSchema(Schema):
    id = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]*$"))
    names = fields.Nested(NamesSchema, required=True)


class MaterialSchema(Schema):
    id = fields.Str(required=True, validate=_ID)
    names = fields.Nested(NamesSchema, required=True)
    after = fields.Str(required=True, validate=validate.OneOf(MATERIAL_AFTER))


class ChoiceSchema(Schema):
    value = fields.Str(required=True, validate=_TEXT)
    labels = fields.Nested(NamesSchema, required=True)


def _identifier(value: str) -> None:
    if not value.isidentifier() or keyword.iskeyword(value) or not value.isascii():
        raise ValidationError("must be an ASCII Python identifier (it becomes task data)")


class FieldSchema(Schema):
    name = fields.Str(required=True, validate=_identifier)
    type = fields.Str(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = fields.Bool(load_default=False)
    labels = fields.Nested(NamesSchema, required=True)
    max_length = fields.Int(strict=True, validate=validate.Range(min=1))
    min = fields.Float()
    max = fields.Float()
    choices = fields.List(fields.Nested(ChoiceSchema), validate=validate.Length(min=1))
    example = fields.Raw(allow_none=False)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data.get("type")
        if kind == "choice" and not data.get("choices"):
            raise ValidationError("a choice field needs choices", "choices")
        if kind != "choice" and "choices" in data:
            raise ValidationError("only a choice field has choices", "choices")
        if "max_length" in data and kind != "text":
            raise ValidationError("only a text field has max_length", "max_length")
        for bound in ("min", "max"):
            if bound in data and kind not in ("integer", "number"):
                raise ValidationError(f"only integer and number fields have {bound}", bound)
        if data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            raise ValidationError("min is greater than max", "min")
        if data.get("required") and "example" not in data:
            raise ValidationError("a required field needs an example", "example")


class FormSchema(Schema):
    names = fields.Nested(NamesSchema, required=True)
    filled_by = fields.Str(required=True, validate=validate.OneOf(("applicant", "clerk")))
    fields = fields.List(fields.Nested(FieldSchema), required=True, validate=validate.Length(min=1))


class TimeLimitsSchema(Schema):
    before = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    after = fields.Float(validate=validate.Range(min=0, min_inclusive=False))


class SourceSchema(Schema):
    figure = fields.Str(required=True, validate=validate.OneOf(FIGURES))
    variant = fields.Str(required=True, validate=validate.OneOf(VARIANTS))
    value = fields.Float(required=True)
    scope = fields.Str(required=True, validate=validate.OneOf(("national", "province", "city")))
    place = fields.Str(required=True, validate=_TEXT)
    source = fields.Str(required=True, validate=_TEXT)
    unit = fields.Str()


class ScenarioSchema(Schema):
    name = fields.Str(required=True, validate=_TEXT)
    variant = fields.Str(required=True, validate=validate.OneOf(VARIANTS))
    data = fields.Dict(keys=fields.Str(), load_default=dict)


class MatterSchema(Schema):
    id = fields.Str(required=True, validate=_ID)
    names = fields.Nested(NamesSchema, required=True)
    category = fields.Str(required=True, validate=_TEXT)
    departments = fields.List(fields.Nested(DepartmentSchema), required=True, validate=validate.Length(min=1))
    materials = fields.List(fields.Nested(MaterialSchema), load_default=list)
    time_limits = fields.Nested(TimeLimitsSchema, load_default=dict)
    forms = fields.Dict(keys=fields.Str(validate=_identifier), values=fields.Nested(FormSchema), load_default=dict)
    sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    basis = fields.Str()
    scenarios = fields.List(fields.Nested(ScenarioSchema), load_default=list)


def locate(node: yaml.Node | None, path: Path_) -> tuple[int | None, str]:
    """Find the line of a field path in the composed YAML tree; also the path as shown to people."""
    shown: list[str] = []
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                if part in ("key", "value", "_schema"):
                    continue  # marshmallow's level for Dict keys/values and whole-schema errors
                shown.append(str(part))
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        elif part in ("key", "value", "_schema"):
            continue
        else:
            shown.append(str(part))
            break
        shown.append(str(part))
    return line, ".".join(shown) or "-"


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
                     d.get("min"), d.get("max"), choices, _normalize_value(d["type"], d.get("example")))


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


def _duplicates(items: list[Any], key: str, where: str) -> list[tuple[Path_, str]]:
    seen: set[Any] = set()
    found = []
    for i, item in enumerate(items):
        value = item[key]
        if value in seen:
            found.append(((where, i, key), f"duplicate {key} '{value}'"))
        seen.add(value)
    return found


def _cross_check(d: dict[str, Any], matter: Matter) -> list[tuple[Path_, str]]:
    from engine.matters.forms import validate_form  # forms imports this module's types

    found = _duplicates(d["departments"], "id", "departments") + _duplicates(d["materials"], "id", "materials")
    for i, dep in enumerate(d["departments"]):
        if dep["id"] == APPLICANT:
            found.append((("departments", i, "id"), "Applicant is reserved for the applicant's lane"))
    if matter.id != matter.directory.name:
        found.append((("id",), f"matter id '{matter.id}' differs from its directory '{matter.directory.name}'"))
    for fid, form in matter.forms.items():
        names = [{"name": x.name} for x in form.fields]
        found += [(("forms", fid) + p[1:], m) for p, m in _duplicates(names, "name", "fields")]
        for i, fld in enumerate(form.fields):
            if fld.example is None:
                continue
            try:
                validate_form(form, {fld.name: fld.example}, partial=True)
            except InputError as exc:
                for msg in exc.fields.get(fld.name, [exc.message]):
                    found.append((("forms", fid, "fields", i, "example"), f"example is invalid: {msg}"))
    field_names = {x.name for form in matter.forms.values() for x in form.fields}
    for i, scenario in enumerate(matter.scenarios):
        for key in scenario.data:
            if key not in field_names:
                found.append((("scenarios", i, "data", key), f"'{key}' is not a field of any form"))
    return found


def _problems(pairs: list[tuple[Path_, str]], root: yaml.Node | None, filename: str) -> list[Problem]:
    problems = []
    for path, message in pairs:
        line, shown = locate(root, path)
        problems.append(Problem(filename, line, shown, message))
    return sorted(problems, key=lambda p: (p.line or 0, p.element_id or ""))


def parse_matter(raw: bytes, directory: Path, filename: str) -> Matter:
    """Validate matter.yaml bytes; raise ModelError with one Problem per mistake."""
    try:
        text = raw.decode("utf-8")
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise ModelError([Problem(filename, None, None, f"not UTF-8: {exc.reason}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ModelError([Problem(filename, line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    except (RecursionError, MemoryError):
        raise ModelError([Problem(filename, None, None, "matter.yaml is nested too deeply or too large")]) from None
    if not isinstance(data, dict):
        raise ModelError([Problem(filename, 1, None, "matter.yaml must be a mapping of fields")])
    try:
        loaded = MatterSchema().load(data)
    except ValidationError as exc:
        raise ModelError(_problems(flatten_messages(exc.messages), root, filename)) from None
    matter = _build(loaded, directory, raw)
    found = _cross_check(loaded, matter)
    if found:
        raise ModelError(_problems(found, root, filename))
    return matter


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
