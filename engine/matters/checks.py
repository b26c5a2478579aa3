"""Problems of a matter.yaml with the line they are on: marshmallow's messages and the cross-checks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from engine.errors import InputError
from engine.matters.messages import Path_
from engine.model.problems import Problem
from engine.text import Text
from engine.vocabulary import APPLICANT

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from engine.matters.files import Matter

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


def _duplicates(items: list[Any], key: str, where: str) -> list[tuple[Path_, str]]:
    seen: set[Any] = set()
    found: list[tuple[Path_, str]] = []
    for i, item in enumerate(items):
        value = item[key]
        if value in seen:
            found.append(((where, i, key), Text("duplicate %(key)s '%(value)s'", key=key, value=value)))
        seen.add(value)
    return found


def cross_check(d: dict[str, Any], matter: Matter) -> list[tuple[Path_, str]]:
    """What the schema cannot see: duplicates, the reserved Applicant, the directory, examples, scenarios."""
    from engine.matters.forms import validate_form  # forms imports the matter types

    found = _duplicates(d["departments"], "id", "departments") + _duplicates(d["materials"], "id", "materials")
    for i, dep in enumerate(d["departments"]):
        if dep["id"] == APPLICANT:
            found.append((("departments", i, "id"), Text("Applicant is reserved for the applicant's lane")))
    if matter.id != matter.directory.name:
        found.append((("id",), Text("matter id '%(matter)s' differs from its directory '%(directory)s'",
                                    matter=matter.id, directory=matter.directory.name)))
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
                    found.append((("forms", fid, "fields", i, "example"), Text("example is invalid: %(reason)s",
                                                                               reason=msg)))
    field_names = {x.name for form in matter.forms.values() for x in form.fields}
    for i, scenario in enumerate(matter.scenarios):
        for key in scenario.data:
            if key not in field_names:
                found.append((("scenarios", i, "data", key), Text("'%(key)s' is not a field of any form", key=key)))
    return found


def problems_at(pairs: list[tuple[Path_, str]], root: yaml.Node | None, filename: str) -> list[Problem]:
    """(field path, message) pairs as Problems with their line in the YAML tree, in line order."""
    problems = []
    for path, message in pairs:
        line, shown = locate(root, path)
        problems.append(Problem(filename, line, shown, message))
    return sorted(problems, key=lambda p: (p.line or 0, p.element_id or ""))
