"""Camunda `formData` / Flowable and Activiti `formProperty` fields as a OneThing form (docs/modeling.md).

A step with such fields and no `form` property gets a form of its own, id the step id: the clerk's data is
validated against it when the step is completed, exactly as a matter.yaml form would be.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from engine.matters.files import Choice, Form, FormField, Names
from engine.model.problems import Problem, warning
from engine.model.types import StepInfo
from engine.model.vendor import ACTIVITI, CAMUNDA, FLOWABLE
from engine.text import Text
from engine.vocabulary import APPLICANT

TYPES = {"string": "text", "long": "integer", "integer": "integer", "int": "integer", "short": "integer",
         "double": "number", "float": "number", "decimal": "number", "boolean": "boolean", "date": "date",
         "enum": "choice"}


MAPPED = {"id", "type", "label", "name", "required"}


def _unmapped(element: Any, field_id: str) -> list[str]:
    """Attributes and children of a vendor form field OneThing does not act on (defaultValue, readable...)."""
    local = {etree.QName(name).localname for name in element.attrib} - MAPPED
    children = {etree.QName(c).localname for c in element if isinstance(c.tag, str)} - {"value", "validation"}
    return [Text("form field '%(field)s': '%(name)s' is not acted on", field=field_id, name=name)
            for name in sorted(local | children)]


def _field(element: Any, ns: str, name_attribute: str, required: bool) -> tuple[FormField | None, list[str]]:
    field_id = (element.get("id") or "").strip()
    if not field_id:
        return None, [Text("a form field without an id is ignored (line %(line)s)", line=element.sourceline)]
    vendor_type = (element.get("type") or "string").strip()
    kind = TYPES.get(vendor_type)
    messages = _unmapped(element, field_id)
    if kind is None:
        messages.append(Text("form field '%(field)s': type '%(type)s' is not one OneThing knows; read as text",
                             field=field_id, type=vendor_type))
        kind = "text"
    label = (element.get(name_attribute) or field_id).strip()
    choices = tuple(Choice(v.get("id") or "", Names(v.get("name") or v.get("id") or "", v.get("name")
                                                   or v.get("id") or ""))
                    for v in element.findall(f"{{{ns}}}value") if v.get("id"))
    if kind == "choice" and not choices:
        messages.append(Text("form field '%(field)s': enum without values; read as text", field=field_id))
        kind = "text"
    return FormField(field_id, kind, required, Names(label, label), choices=choices), messages


def _camunda_fields(node: Any) -> list[tuple[FormField | None, list[str]]]:
    found = []
    for element in node.findall(f"./{{*}}extensionElements/{{{CAMUNDA}}}formData/{{{CAMUNDA}}}formField"):
        constraints = element.findall(f"{{{CAMUNDA}}}validation/{{{CAMUNDA}}}constraint")
        required = any(c.get("name") == "required" and (c.get("config") or "true") != "false" for c in constraints)
        field, messages = _field(element, CAMUNDA, "label", required)
        messages += [Text("form field '%(field)s': constraint '%(name)s' is not acted on", field=element.get("id"),
                          name=c.get("name")) for c in constraints if c.get("name") != "required"]
        found.append((field, messages))
    return found


def _property_fields(node: Any) -> list[tuple[FormField | None, list[str]]]:
    found = []
    for ns in (FLOWABLE, ACTIVITI):
        for element in node.findall(f"./{{*}}extensionElements/{{{ns}}}formProperty"):
            required = (element.get("required") or "").strip().lower() == "true"
            found.append(_field(element, ns, "name", required))
    return found


def vendor_form(node: Any, step: StepInfo, filename: str) -> tuple[Form | None, list[Problem]]:
    """The form a step's vendor form fields make (None without fields), and warnings about them."""
    parsed = _camunda_fields(node) + _property_fields(node)
    messages = [m for _, ms in parsed for m in ms]
    fields: dict[str, FormField] = {}
    for field, _ in parsed:
        if field is not None:
            if field.name in fields:
                messages.append(Text("form field '%(field)s' is defined twice; the first counts", field=field.name))
            fields.setdefault(field.name, field)
    warnings = [warning(filename, step.line, step.id, m) for m in messages]
    if not fields:
        return None, warnings
    if step.properties.get("form"):
        warnings.append(warning(filename, step.line, step.id, Text(
            "the vendor form fields are ignored: the step's form property names form '%(form)s'",
            form=step.properties["form"])))
        return None, warnings
    names = Names(step.name or step.id, step.properties.get("name_en") or step.name or step.id)
    filled_by = "applicant" if step.department == APPLICANT else "clerk"
    return Form(step.id, names, filled_by, tuple(fields.values())), warnings
