"""Personal data masked for auditors: names 王*明, resident IDs 1101**********002X, phones 138****1234.

Used by the pages and the API alike; form field types decide first, then the shape of the value
(data that came from scripts has no form field)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from engine.matters.files import FormField, Matter

_RESIDENT_ID = re.compile(r"^\d{17}[\dXx]$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ACCOUNT = re.compile(r"^\d{12,19}$")  # bank card / account numbers
_ACCOUNT_NAMES = ("account", "card_no", "bank_card")
_ADDRESS_NAMES = ("address", "addr")
# Inside any text: a resident ID, a mobile phone (spaces or hyphens allowed between its groups), an account
# number (12-19 digits, spaces or hyphens allowed), none of them part of a longer run of digits.
_IN_TEXT = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|1[3-9]\d(?:[ -]?\d{4}){2}|\d(?:[ -]?\d){11,18})(?![\dXx])")


def mask_name(value: str) -> str:
    """王小明 -> 王*明, 王明 -> 王*."""
    if len(value) <= 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_resident_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_middle(value: str, keep: int = 4) -> str:
    """Keep `keep` characters at each end: 6222 0212 3456 7890 -> 6222********7890; short text -> first one."""
    if len(value) > 2 * keep + 1:
        return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_address(value: str) -> str:
    """Keep the region (a third of the text, at most 6 characters), never the end: it may name the addressee."""
    keep = min(6, len(value) // 3)
    return value[:keep] + "*" * (len(value) - keep)


def _mask_value(name: str, value: Any, kinds: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v, kinds) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(name, v, kinds) for v in value]
    if not isinstance(value, str):
        return value
    kind = kinds.get(name)
    # by declared type first, then by shape: data that came from scripts has no form field
    if kind == "resident_id" or _RESIDENT_ID.match(value):
        return mask_resident_id(value)
    if kind == "phone" or _PHONE.match(value):
        return mask_phone(value)
    lowered = name.lower()
    if any(word in lowered for word in _ADDRESS_NAMES):
        return mask_address(value)
    if kind == "bank_account" or any(word in lowered for word in _ACCOUNT_NAMES) \
            or _ACCOUNT.match(value.replace(" ", "")):
        return mask_middle(value)
    if "name" in lowered:
        return mask_name(value)
    return mask_text(value)  # free text: what is shaped like an ID, a phone or an account, wherever it stands


def mask_personal(data: dict[str, Any] | None, form_fields: Iterable[FormField]) -> dict[str, Any] | None:
    """A copy of case data, at any depth, with names, resident IDs, phones, accounts and addresses masked
    (form field types decide, then field names, then the shape of the value or of numbers inside text)."""
    if data is None:
        return None
    kinds = {f.name: f.type for f in form_fields}
    return {k: _mask_value(k, v, kinds) for k, v in data.items()}


def matter_fields(matter: Matter | None) -> list[FormField]:
    """Every form field a matter declares (what `mask_personal` reads the types from)."""
    return [item for form in (matter.forms.values() if matter else ()) for item in form.fields]


def mask_text(text: str | None) -> str | None:
    """Free text (e.g. a case's error message) with any resident ID, phone or account number in it masked."""
    if not text:
        return text
    return _IN_TEXT.sub(lambda m: mask_middle(m.group(0)), text)
