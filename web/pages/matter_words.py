"""The words of the modeler's matter editor (web/static/matter_editor.js), in the page's language."""
from __future__ import annotations

from flask_babel import gettext as _


def editor_words() -> dict[str, object]:
    """Headings, column names, kinds and states the matter editor shows."""
    return {
        "matter": _("Names and departments"), "matter_zh": _("Matter name (Chinese)"),
        "matter_en": _("Matter name (English)"), "category": _("Category"),
        "materials": _("Materials"), "forms": _("Forms"), "time_limits": _("Time limits (working days)"),
        "sources": _("Published sources"), "basis": _("Basis of the model"),
        "id": _("Id"), "name_zh": _("Name (Chinese)"), "name_en": _("Name (English)"),
        "after": _("After the reform"),
        "after_kinds": {"applicant": _("Still handed in by the applicant"),
                        "shared": _("Shared: obtained by data sharing"),
                        "e_certificate": _("Read as an e-certificate"), "not_needed": _("No longer needed")},
        "filled_by": _("Filled in by"),
        "filled_by_kinds": {"applicant": _("the applicant"), "clerk": _("a clerk")},
        "field": _("Field"), "type": _("Type"), "required": _("Required"), "max_length": _("Max length"),
        "min": _("Minimum"), "max": _("Maximum"), "past": _("Not in the future"), "example": _("Example"),
        "value": _("Value"), "figure": _("Figure"), "variant": _("Variant"), "unit": _("Unit"),
        "scope": _("Scope"), "place": _("Place"), "source": _("Citation"), "place_zh": _("Place (Chinese)"),
        "unit_zh": _("Unit (Chinese)"), "source_zh": _("Citation (Chinese)"), "url": _("Web address"),
        "before": _("Before"), "after_variant": _("After"), "scenarios": _("Test scenarios"),
        "scenario": _("Scenario"), "data": _("Form data (JSON)"),
        "add": _("Add a row"), "remove": _("Remove"),
        "writing": _("Writing matter.yaml…"), "valid": _("matter.yaml has no problems."),
        "problems": _("matter.yaml has problems: fix the marked fields."),
        "failed": _("matter.yaml could not be written; try again."),
    }
