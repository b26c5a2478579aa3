"""An application checked whole: the contact phone and the intake form, every wrong field reported at once."""
from __future__ import annotations

import re
from typing import Any

from engine.errors import InputError
from engine.matters.files import Form
from engine.matters.forms import PHONE, contact_field, validate_form
from engine.matters.messages import message
from engine.text import Listed, Text


def clean_phone(phone: Any) -> str:
    """A mainland mobile number without spaces, dashes or +86; InputError otherwise."""
    text = re.sub(r"[\s-]", "", phone) if isinstance(phone, str) else ""
    if text.startswith("+86"):
        text = text[3:]
    if not PHONE.match(text):
        raise InputError(Text("not a mainland mobile number"), fields={"phone": [message("not_phone")]})
    return text


def checked_application(form: Form | None, data: dict[str, Any], phone: str | None) -> tuple[dict[str, Any], str]:
    """(the clean form data, the contact phone), or one InputError naming every wrong field."""
    errors: dict[str, list[str]] = {}
    contact = contact_field(form)
    given = phone.strip() if isinstance(phone, str) else phone
    if given:
        try:
            given = clean_phone(given)
        except InputError as exc:
            errors.update(exc.fields)
    elif contact is None:  # the form asks for no phone: the application must give one
        errors["phone"] = [message("required")]
    clean = dict(data)
    if form is not None:
        try:
            clean = validate_form(form, data)
        except InputError as exc:
            for name, texts in exc.fields.items():
                errors.setdefault(name, []).extend(texts)
    if errors:
        raise InputError(Text("the application has invalid fields: %(fields)s", fields=Listed(sorted(errors))),
                         fields=errors)
    if not given:
        assert contact is not None  # no phone given and no contact field was reported above
        given = clean[contact.name]
    return clean, str(given)
