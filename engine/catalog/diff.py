"""What changed between two deployed versions: steps, flows, lanes, annotations and forms.

Any two versions of one matter compare, across variants too: `before` against `after` is the reform
itself, step by step. Steps and lanes are matched by their BPMN ids, flows by (source, target), forms by
id and their fields by name; each change says what it was before and after, as text for people.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.catalog import versions as catalog
from engine.catalog.history import MAX_ID, VersionInfo, list_versions
from engine.context import EngineContext
from engine.errors import InputError, NotFound
from engine.matters.files import Form, FormField, Matter
from engine.model.types import Model
from engine.store.tables import ModelVersion
from engine.text import Text


@dataclass(frozen=True)
class Change:
    """One difference: `what` changed (step, flow, lane, annotation, form, field), `key` names it."""

    kind: str  # added | removed | changed
    what: str
    key: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class VersionDiff:
    """The changes from version `old` to version `new`, in a stable order (by kind of thing, then key)."""

    old: VersionInfo
    new: VersionInfo
    changes: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        """How many things were added, removed and changed."""
        return {kind: sum(1 for c in self.changes if c.kind == kind) for kind in ("added", "removed", "changed")}


def _compare(what: str, old: dict[str, str], new: dict[str, str]) -> list[Change]:
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind = "added" if before is None else "removed" if after is None else "changed"
        changes.append(Change(kind, what, key, before, after))
    return changes


def _steps(model: Model) -> dict[str, str]:
    return {s.id: f"{s.name} ({s.kind}, {s.department or '-'})" for s in model.steps.values()}


def _annotations(model: Model) -> dict[str, str]:
    return {f"{s.id}: {name}": value for s in model.steps.values() for name, value in s.properties.items()}


def _flows(model: Model) -> dict[str, str]:
    return {f"{source} → {target}": f"{source} → {target}"
            for source, targets in model.flows.items() for target in targets}


def _field_text(field: FormField) -> str:
    parts = [field.type, "required" if field.required else "optional", f"{field.labels.zh} / {field.labels.en}"]
    if field.max_length is not None:
        parts.append(f"at most {field.max_length} characters")
    if field.min is not None or field.max is not None:
        low, high = ("" if bound is None else f"{bound:g}" for bound in (field.min, field.max))
        parts.append(f"range {low}..{high}")
    if field.choices:
        parts.append("choices " + ", ".join(choice.value for choice in field.choices))
    if field.past:
        parts.append("not in the future")
    return "; ".join(parts)


def _forms(matter: Matter | None) -> tuple[dict[str, str], dict[str, str]]:
    forms: dict[str, Form] = dict(matter.forms) if matter is not None else {}
    return ({form_id: f"{form.names.zh} / {form.names.en} ({len(form.fields)} fields)"
             for form_id, form in forms.items()},
            {f"{form_id}.{field.name}": _field_text(field)
             for form_id, form in forms.items() for field in form.fields})


def model_changes(old: tuple[Model, Matter | None], new: tuple[Model, Matter | None]) -> tuple[Change, ...]:
    """The changes from one loaded (model, matter) to another (engine/regions/reformdiff.py compares regions')."""
    (old_model, old_matter), (new_model, new_matter) = old, new
    old_forms, old_fields = _forms(old_matter)
    new_forms, new_fields = _forms(new_matter)
    return tuple(_compare("step", _steps(old_model), _steps(new_model))
                 + _compare("lane", old_model.lanes, new_model.lanes)
                 + _compare("flow", _flows(old_model), _flows(new_model))
                 + _compare("annotation", _annotations(old_model), _annotations(new_model))
                 + _compare("form", old_forms, new_forms)
                 + _compare("field", old_fields, new_fields))


def version_diff(ctx: EngineContext, old_id: int, new_id: int) -> VersionDiff:
    """The changes from one deployed version to another of the same matter."""
    with ctx.read() as session:
        rows = {i: session.get(ModelVersion, i) if 0 < i <= MAX_ID else None for i in (old_id, new_id)}
        for version_id, row in rows.items():
            if row is None:
                raise NotFound(Text("no model version %(version)s", version=version_id))
        old, new = rows[old_id], rows[new_id]
        assert old is not None and new is not None
        if old.matter_id != new.matter_id:
            raise InputError(Text("versions %(old)s and %(new)s belong to different matters (%(old_matter)s, "
                                  "%(new_matter)s); compare versions of one matter", old=old_id, new=new_id,
                                  old_matter=old.matter_id, new_matter=new.matter_id),
                             fields={"with": [Text("a version of the same matter")]})
        matter_id = old.matter_id
        changes = model_changes(catalog.loaded_version(ctx, session, old.id),
                                catalog.loaded_version(ctx, session, new.id))
    infos = {v.id: v for v in list_versions(ctx, matter_id)}
    return VersionDiff(infos[old_id], infos[new_id], changes)
