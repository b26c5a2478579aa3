"""The matter editor's structure and the matter.yaml it writes (issue #12 item 2): every processes/*/matter.yaml
goes to the editor's rows and back to the same matter; edited rows are checked as `onething check` checks them."""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from engine.matters.editing import edited_matter, matter_structure, matter_yaml
from engine.matters.files import Matter, find_matters, load_matter, parse_matter

REPO = Path(__file__).resolve().parents[2]
MATTERS = sorted(p.parent.name for p in (REPO / "processes").glob("*/matter.yaml"))


def _same(matter: Matter) -> Matter:
    return dataclasses.replace(matter, raw=b"")


@pytest.mark.parametrize("name", MATTERS)
def test_every_matter_goes_to_the_editor_and_back_to_an_equal_matter(name):
    matter = load_matter(REPO / "processes" / name)
    structure = matter_structure(matter)
    text = matter_yaml(structure)
    back = parse_matter(text.encode("utf-8"), matter.directory, "matter.yaml")
    assert _same(back) == _same(matter)
    assert matter_yaml(matter_structure(back)) == text  # a second round writes the very same text


def test_the_written_yaml_keeps_the_repository_format():
    matter = load_matter(REPO / "processes" / "newborn")
    text = matter_yaml(matter_structure(matter))
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line[0].isspace()]
    assert keys == ["id", "names", "category", "departments", "materials", "time_limits", "forms", "sources",
                    "basis", "scenarios"]
    assert "names: {zh: 新生儿出生一件事, en: Newborn birth}\n" in text
    assert "  - id: hukou_booklet\n    names: {zh: 父母户口簿, en: \"Parents' hukou booklets\"}\n" \
           "    after: applicant\n" in text or "  - id: hukou_booklet\n" in text
    assert "\nbasis: >-\n  " in text
    field = next(line for line in text.splitlines() if "name: child_name" in line)
    assert field.lstrip().startswith("- {name: child_name, type: text, required: true, max_length: 50")
    original = yaml.safe_load(matter.raw)
    assert yaml.safe_load(text)["basis"] == original["basis"]


def test_typed_values_are_read_as_their_fields_want_them():
    structure = matter_structure(load_matter(REPO / "processes" / "newborn"))
    structure["time_limits"] = {"before": "32", "after": " "}
    structure["sources"][0]["value"] = "16"
    structure["sources"][0]["url"] = ""
    form = next(f for f in structure["forms"] if f["id"] == "maternity_review")
    amount = next(x for x in form["fields"] if x["name"] == "allowance_amount")
    amount.update({"min": "0", "max": "", "example": "18000.5"})
    approved = next(x for x in form["fields"] if x["name"] == "allowance_approved")
    approved["example"] = "true"
    text, problems = edited_matter(structure, "newborn")
    assert problems == []
    data = yaml.safe_load(text)
    assert data["time_limits"] == {"before": 32}
    assert data["sources"][0]["value"] == 16 and "url" not in data["sources"][0]
    fields = {x["name"]: x for x in data["forms"]["maternity_review"]["fields"]}
    assert fields["allowance_amount"]["example"] == 18000.5 and "max" not in fields["allowance_amount"]
    assert fields["allowance_approved"]["example"] is True


def test_a_new_material_and_a_shared_one_are_written():
    structure = matter_structure(load_matter(REPO / "processes" / "newborn"))
    structure["materials"].append({"id": "vaccination_card", "names": {"zh": "预防接种证", "en": "Vaccination card"},
                                   "after": "applicant"})
    next(m for m in structure["materials"] if m["id"] == "hukou_booklet")["after"] = "shared"
    text, problems = edited_matter(structure, "newborn")
    assert problems == []
    matter = parse_matter(text.encode(), Path("newborn"), "matter.yaml")
    assert matter.material("hukou_booklet").after == "shared"
    assert matter.material("vaccination_card").names.zh == "预防接种证"


def test_problems_name_the_row_and_field_they_are_in():
    good = matter_structure(load_matter(REPO / "processes" / "newborn"))
    structure = copy.deepcopy(good)
    structure["materials"][2]["after"] = "sometimes"
    structure["materials"][3]["id"] = "Bad Id"
    structure["departments"].append({"id": "police", "names": {"zh": "", "en": "Police again"}})
    form = next(f for f in structure["forms"] if f["id"] == "vaccination_record")
    form["fields"][1]["example"] = "not a date"
    structure["forms"].append({"id": "vaccination_record", "names": {"zh": "重复", "en": "Again"},
                               "filled_by": "clerk", "fields": [{"name": "x", "type": "text", "required": False,
                                                                 "labels": {"zh": "x", "en": "x"}}]})
    structure["sources"][0]["url"] = "not a url"
    _text, problems = edited_matter(structure, "newborn")
    where = {p.element_id for p in problems}
    assert {"materials.2.after", "materials.3.id", "departments.7.names.zh", "sources.0.url"} <= where, problems
    assert any(p.element_id == f"forms.{len(structure['forms']) - 1}.id" and "duplicate" in p.message
               for p in problems)
    assert all(p.line for p in problems if "duplicate" not in p.message), problems
    structure = copy.deepcopy(good)  # what the checks see once the schema is met, as `onething check` does
    structure["departments"].append({"id": "police", "names": {"zh": "公安", "en": "Police again"}})
    next(f for f in structure["forms"] if f["id"] == "vaccination_record")["fields"][1]["example"] = "not a date"
    _text, problems = edited_matter(structure, "newborn")
    assert {p.element_id for p in problems} == {"departments.7.id", "forms.vaccination_record.fields.1.example"}


def test_a_matter_without_its_required_parts_is_refused_not_crashed():
    _text, problems = edited_matter({"id": "x", "forms": "nonsense", "sources": [3], "departments": []}, "x")
    where = {p.element_id for p in problems}
    assert {"names", "category", "departments"} <= where, problems


def test_every_repository_matter_is_found():
    assert {m.id for m in find_matters(REPO / "processes")} == set(MATTERS)


@pytest.mark.parametrize("name", MATTERS)
def test_matter_yaml_text_reads_into_the_same_rows_as_the_parsed_matter(name):
    from engine.matters.editing import structure_of_text

    matter = load_matter(REPO / "processes" / name)
    read = structure_of_text(matter.raw.decode("utf-8"))
    assert read is not None
    assert parse_matter(matter_yaml(read).encode(), matter.directory, "m").forms == matter.forms
    assert structure_of_text("- a list") is None and structure_of_text("{unclosed") is None


def test_random_rows_never_crash_the_writer_or_the_checks():
    """Whatever JSON an editor sends becomes text and problems, never an exception."""
    import random

    rng = random.Random(12)
    junk = [None, 3, -1.5, True, "", "x", [], {}, [1, None], {"zh": 1}, "2025-01-01", {"a": [{}]}]
    good = matter_structure(load_matter(REPO / "processes" / "newborn"))
    for _ in range(100):
        structure = copy.deepcopy(good)
        for _ in range(rng.randint(1, 4)):
            at: object = structure
            path = []
            while isinstance(at, dict | list) and at and rng.random() < 0.8:
                key = rng.choice(list(at)) if isinstance(at, dict) else rng.randrange(len(at))
                path.append((at, key))
                at = at[key]
            if path:
                parent, key = path[-1]
                parent[key] = copy.deepcopy(rng.choice(junk))
        text, problems = edited_matter(structure, "newborn")
        assert isinstance(text, str) and all(p.message for p in problems)
