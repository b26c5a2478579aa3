"""matter.yaml as the designer's matter editor edits it: a plain JSON structure of rows, and back to YAML.

The structure (docs/modeling.md, "The matter editor") is the file's fields with the forms as a list of rows
(each with its `id`), so an editor can add, remove and rename them; `matter_structure` builds it from a parsed
matter, `matter_yaml` writes it as matter.yaml in the repository's format (engine.matters.writing), and
`edited_matter` checks that text with the very checks of `onething check`, each problem naming its field path
(`materials.2.after`, `forms.joint_application.fields.3.example`).

Values typed into a form arrive as text: numbers, booleans and examples are read as their field wants them,
blanks of optional fields are left out, anything else is left as typed for the checks to name.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ModelError
from engine.matters.files import FormField, Matter, Names, parse_matter
from engine.matters.writing import write_matter
from engine.model.problems import Problem
from engine.text import Text

SOURCE_KEYS = ("figure", "variant", "value", "unit", "scope", "place", "source", "place_zh", "unit_zh", "source_zh",
               "url")
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def _names(names: Names) -> dict[str, str]:
    return {"zh": names.zh, "en": names.en}


def _whole(value: float | int) -> float | int:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _field(item: FormField) -> dict[str, Any]:
    row: dict[str, Any] = {"name": item.name, "type": item.type, "required": item.required,
                           "labels": _names(item.labels)}
    for key in ("max_length", "min", "max"):
        if getattr(item, key) is not None:
            row[key] = _whole(getattr(item, key))
    if item.choices:
        row["choices"] = [{"value": c.value, "labels": _names(c.labels)} for c in item.choices]
    if item.past:
        row["past"] = True
    if item.example is not None:
        row["example"] = item.example
    return row


def matter_structure(matter: Matter) -> dict[str, Any]:
    """The editor's structure of a parsed matter (JSON-ready)."""
    return {
        "id": matter.id, "names": _names(matter.names), "category": matter.category,
        "departments": [{"id": d.id, "names": _names(d.names)} for d in matter.departments],
        "materials": [{"id": m.id, "names": _names(m.names), "after": m.after} for m in matter.materials],
        "time_limits": {k: _whole(v) for k, v in matter.time_limits.items()},
        "forms": [{"id": f.id, "names": _names(f.names), "filled_by": f.filled_by,
                   "fields": [_field(x) for x in f.fields]} for f in matter.forms.values()],
        "sources": [{k: _whole(v) if k == "value" else v for k in SOURCE_KEYS
                     if (v := getattr(s, k)) is not None} for s in matter.sources],
        "basis": matter.basis,
        "scenarios": [{"name": s.name, "variant": s.variant, "data": dict(s.data)} for s in matter.scenarios],
    }


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Any:
    """A typed number as a number (whole when it is); anything else as it is, for the checks to name."""
    if isinstance(value, str) and _NUMBER.match(value):
        number = float(value)
        return int(number) if number.is_integer() and "e" not in value.lower() else number
    return _whole(value) if isinstance(value, float) else value


def _example(kind: str, value: Any) -> Any:
    if kind in ("integer", "number"):
        return _number(value)
    if kind == "boolean" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _cleaned(row: Any, numbers: tuple[str, ...] = ()) -> Any:
    """A row without its blank optional values, its numbers read; not a mapping: as it is."""
    if not isinstance(row, dict):
        return row
    return {k: _number(v) if k in numbers else v for k, v in row.items() if not _blank(v)}


def _field_data(row: Any) -> Any:
    row = _cleaned(row, ("max_length", "min", "max"))
    if not isinstance(row, dict):
        return row
    if row.get("type") != "choice" and row.get("choices") == []:
        row.pop("choices")
    if row.get("past") is False:
        row.pop("past")
    if "example" in row:
        row["example"] = _example(str(row.get("type")), row["example"])
    return row


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def matter_data(structure: dict[str, Any]) -> dict[str, Any]:
    """The structure as matter.yaml's mapping, in the file's key order (what `write_matter` writes)."""
    data: dict[str, Any] = {key: structure[key] for key in ("id", "names", "category") if key in structure}
    data["departments"] = structure.get("departments", [])
    data["materials"] = structure.get("materials", [])
    limits = _cleaned(structure.get("time_limits") or {}, ("before", "after"))
    if limits:
        data["time_limits"] = limits
    forms: dict[str, Any] = {}
    for i, form in enumerate(_list(structure.get("forms"))):
        if not isinstance(form, dict):
            forms[f"form_{i + 1}"] = form
            continue
        body = {k: v for k, v in form.items() if k != "id"}
        if isinstance(body.get("fields"), list):
            body["fields"] = [_field_data(x) for x in body["fields"]]
        key = str(form.get("id") or "").strip() or f"form_{i + 1}"
        while key in forms:  # a repeated id must not hide a form: the check names the renamed one
            key += "_"
        forms[key] = body
    data["forms"] = forms
    sources = [_cleaned(s, ("value",)) for s in _list(structure.get("sources"))]
    if sources:
        data["sources"] = sources
    if not _blank(structure.get("basis")):
        data["basis"] = structure["basis"]
    data["scenarios"] = structure.get("scenarios", [])
    return data


def matter_yaml(structure: dict[str, Any]) -> str:
    """matter.yaml text in the repository's format for the editor's structure."""
    return write_matter(matter_data(structure))


def edited_matter(structure: dict[str, Any], matter_id: str | None = None) -> tuple[str, list[Problem]]:
    """(matter.yaml text, its problems as `onething check` finds them) for the editor's structure; the matter's
    directory is `matter_id` (the deployed matter the editor opened), else the structure's own id."""
    text = matter_yaml(structure)
    repeated = _repeated_forms(structure)
    directory = matter_id or (structure.get("id") if isinstance(structure.get("id"), str) else None) or "matter"
    try:
        parse_matter(text.encode("utf-8"), Path(directory), "matter.yaml")
    except ModelError as exc:
        return text, repeated + list(exc.problems)
    return text, repeated


def structure_of_text(text: str) -> dict[str, Any] | None:
    """The editor's structure of matter.yaml text as written (valid or not: the checks say what is wrong), or
    None for text that is no YAML mapping."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, MemoryError):
        return None
    if not isinstance(data, dict):
        return None
    data = json.loads(json.dumps(data, default=str))  # dates as text, as the editor's inputs hold them
    forms = data.get("forms")
    if isinstance(forms, dict):
        data["forms"] = [{"id": key, **form} if isinstance(form, dict) else {"id": key} for key, form in forms.items()]
    return data


def _repeated_forms(structure: dict[str, Any]) -> list[Problem]:
    """A form id given twice (the YAML mapping would keep only one of them)."""
    seen: set[str] = set()
    found = []
    for i, form in enumerate(_list(structure.get("forms"))):
        key = str(form.get("id") or "").strip() if isinstance(form, dict) else ""
        if key in seen:
            found.append(Problem("matter.yaml", None, f"forms.{i}.id",
                                 Text("duplicate %(key)s '%(value)s'", key="id", value=key)))
        seen.add(key)
    return found
