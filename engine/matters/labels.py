"""Case data as staff read it: each value under its form field's label, a choice by its name, yes or no.

The fields are those of the case's own model version (its matter.yaml), the data as the reader may see it:
for auditors the masked copy, so labelling never shows what masking hid. Keys without a form field keep
their key, values without a choice their text. Machines read the raw data through the API instead.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.matters.files import FormField, Names

YES = Names("是", "Yes")
NO = Names("否", "No")
NOTHING = Names("—", "—")


@dataclass(frozen=True)
class LabelledValue:
    """One entry of case data: its key, its label and its value as text, each in zh and en."""

    key: str
    label: Names
    value: Names


def labelled_data(data: dict[str, Any] | None, form_fields: Iterable[FormField]) -> tuple[LabelledValue, ...]:
    """`data` in its order, each value paired with its form field (the first of that name) for people to read."""
    if not data:
        return ()
    fields: dict[str, FormField] = {}
    for item in form_fields:
        fields.setdefault(item.name, item)
    return tuple(_labelled(key, value, fields.get(key)) for key, value in data.items())


def _labelled(key: str, value: Any, item: FormField | None) -> LabelledValue:
    return LabelledValue(key, item.labels if item is not None else Names(key, key), value_names(value, item))


def value_names(value: Any, item: FormField | None = None) -> Names:
    """A value as text in zh and en: booleans as 是/否 and Yes/No, a choice by its name, lists item by item."""
    if isinstance(value, bool):
        return YES if value else NO
    if value is None or value == "":
        return NOTHING
    if item is not None:
        choice = next((c for c in item.choices if c.value == value), None)
        if choice is not None:
            return choice.labels
    if isinstance(value, list):
        parts = [value_names(v, item) for v in value]
        return Names("、".join(p.zh for p in parts), ", ".join(p.en for p in parts))
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str) \
        if isinstance(value, dict) else str(value)
    return Names(text, text)
