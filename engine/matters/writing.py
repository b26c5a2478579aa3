"""matter.yaml written in the repository's format (processes/*/matter.yaml), for the designer's matter editor.

Block style at the top, sequences indented under their key; names, labels, simple form fields, choices and
scenario data as one-line flow mappings; a field with choices as a block; `basis` folded (`>-`). PyYAML does
the quoting, so whatever the designer typed reads back as typed.
"""
from __future__ import annotations

import textwrap
from typing import Any

import yaml

FIELD_KEYS = ("name", "type", "past", "required", "max_length", "min", "max", "labels", "choices", "example")
BASIS_WIDTH = 110


class _Flow(dict):
    """A mapping written on one line: {zh: ..., en: ...}."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # "  - id: x" under its key, as the repository writes lists

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style  # the repository quotes with double quotes


def _flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _block(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(_Flow, _flow)
_Dumper.add_representer(dict, _block)


def _shaped(value: Any, flow_keys: tuple[str, ...] = ("names", "labels", "data")) -> Any:
    """`value` with the mappings under `flow_keys` marked to be written on one line."""
    if isinstance(value, dict):
        return {k: _Flow(v) if k in flow_keys and isinstance(v, dict) else _shaped(v, flow_keys)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_shaped(v, flow_keys) for v in value]
    return value


def _field(row: Any) -> Any:
    if not isinstance(row, dict):
        return row
    ordered = {k: row[k] for k in FIELD_KEYS if k in row}
    ordered.update({k: v for k, v in row.items() if k not in ordered})
    shaped = _shaped(ordered)
    if isinstance(row.get("choices"), list) and row["choices"]:
        shaped["choices"] = [_Flow(_shaped(c)) if isinstance(c, dict) else c for c in row["choices"]]
        return shaped
    return _Flow(shaped)


def _forms(forms: Any) -> Any:
    if not isinstance(forms, dict):
        return forms
    shaped = {}
    for key, form in forms.items():
        if isinstance(form, dict):
            form = {**_shaped({k: v for k, v in form.items() if k != "fields"}),
                    **({"fields": [_field(x) for x in form["fields"]]} if isinstance(form.get("fields"), list)
                       else {"fields": form["fields"]} if "fields" in form else {})}
        shaped[key] = form
    return shaped


def _dump(key: str, value: Any) -> str:
    return yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6,
                     default_flow_style=False)


def _basis(text: str) -> str:
    """`basis: >-` with the text folded at spaces; quoted instead when folding would change it."""
    words = text.split(" ")
    if text != text.strip() or "\n" in text or "" in words or "\t" in text:
        return _dump("basis", text)
    lines = textwrap.wrap(text, BASIS_WIDTH, break_long_words=False, break_on_hyphens=False)
    return "basis: >-\n" + "".join(f"  {line}\n" for line in lines)


def write_matter(data: dict[str, Any]) -> str:
    """The mapping (keys in the file's order) as matter.yaml text."""
    parts = []
    for key, value in data.items():
        if key == "basis" and isinstance(value, str):
            parts.append(_basis(value))
        elif key == "forms":
            parts.append(_dump(key, _forms(value)))
        elif key == "names" and isinstance(value, dict):
            parts.append(_dump(key, _Flow(value)))
        elif key in ("sources", "time_limits"):
            parts.append(_dump(key, value))
        else:
            parts.append(_dump(key, _shaped(value)))
    return "".join(parts)
