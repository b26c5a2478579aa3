"""matter.yaml: loading into frozen dataclasses, and every mistake reported at its line."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from engine.errors import ModelError
from engine.matters.files import Matter, find_matters, load_matter

PROCESSES = Path(__file__).resolve().parents[2] / "processes"

GOOD = """\
id: newborn
names: {zh: 新生儿出生一件事, en: Newborn birth}
category: birth
departments:
  - id: health
    names: {zh: 卫生健康委, en: Health Commission}
  - id: police
    names: {zh: 公安局, en: Public Security Bureau}
materials:
  - id: birth_certificate
    names: {zh: 出生医学证明, en: Birth medical certificate}
    after: shared
time_limits:
  before: 32
  after: 0.5
forms:
  joint_application:
    names: {zh: 出生一件事联办申请表, en: Newborn joint application}
    filled_by: applicant
    fields:
      - name: child_name
        type: text
        required: true
        labels: {zh: 新生儿姓名, en: "Child's name"}
        max_length: 50
        example: 王小明
      - name: mother_id
        type: resident_id
        required: true
        labels: {zh: 母亲身份证号, en: Mother's ID}
        example: 11010519491231002X
      - name: birth_date
        type: date
        labels: {zh: 出生日期, en: Birth date}
        example: 2024-03-01
      - name: phone
        type: phone
        labels: {zh: 电话, en: Phone}
        example: 13800138000
      - name: delivery
        type: choice
        required: true
        labels: {zh: 分娩方式, en: Delivery}
        choices:
          - {value: hospital, labels: {zh: 医院分娩, en: In hospital}}
          - {value: home, labels: {zh: 非医院分娩, en: Outside hospital}}
        example: hospital
sources:
  - figure: steps
    variant: before
    value: 16
    scope: province
    place: Qinghai
    source: "a cited source"
basis: "What the models are based on."
scenarios:
  - name: home birth
    variant: after
    data: {delivery: home}
"""


def write(tmp_path: Path, text: str, name: str = "newborn") -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "matter.yaml").write_text(text, encoding="utf-8")
    return directory


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ModelError) as caught:
        load_matter(write(tmp_path, text))
    return [str(p).split("matter.yaml", 1)[1] for p in caught.value.problems]


def test_a_good_matter_loads_into_frozen_dataclasses(tmp_path: Path) -> None:
    matter = load_matter(write(tmp_path, GOOD))
    assert isinstance(matter, Matter) and matter.id == "newborn" and matter.names.en == "Newborn birth"
    assert [d.id for d in matter.departments] == ["health", "police"]
    assert matter.material("birth_certificate").after == "shared"
    assert matter.time_limits == {"before": 32, "after": 0.5}
    form = matter.forms["joint_application"]
    assert form.filled_by == "applicant" and form.fields[2].example == "2024-03-01"
    assert form.fields[3].example == "13800138000"  # YAML read it as an int; a phone is text
    assert matter.scenarios[0].data == {"delivery": "home"}
    assert matter.raw == GOOD.encode() and matter.sources[0].value == 16
    assert not form.fields[2].past  # a date may be in the future unless it says `past: true`
    with pytest.raises(dataclasses.FrozenInstanceError):
        matter.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("old, new, expected", [
    ("category: birth\n", "", ":1: category: Missing data for required field."),
    ("    after: shared", "    after: maybe", ":12: materials.0.after: Must be one of"),
    ("        type: text", "        type: txt", ":22: forms.joint_application.fields.0.type: Must be one of"),
    ("  - id: police", "  - id: health", ":7: departments.1.id: duplicate id 'health'"),
    ("  - id: police", "  - id: Applicant", ":7: departments.1.id: Applicant is reserved"),
    ("        example: 王小明", "        example: " + "王小明" * 17 + "王",  # 52 characters
     ":26: forms.joint_application.fields.0.example: example is invalid: Longer than maximum length 50."),
    ("        example: 11010519491231002X", "        example: 110105194912310021",
     ":31: forms.joint_application.fields.1.example: example is invalid: the resident ID's check character is wrong"),
    ("        example: hospital", "        example: car",
     ":47: forms.joint_application.fields.4.example: example is invalid"),
    ("  - figure: steps", "  - figure: speed", ":49: sources.0.figure: Must be one of"),
    ('    source: "a cited source"', '    source: "a cited source"\n    url: "javascript:alert(1)"',
     ":55: sources.0.url: Not a valid URL."),
    ("  after: 0.5", "  after: -1", ":15: time_limits.after: Must be greater than 0"),
    ("basis:", "bassis:", ":55: bassis: Unknown field."),
    ("    data: {delivery: home}", "    data: {delivry: home}",
     ":59: scenarios.0.data.delivry: 'delivry' is not a field"),
    ("    filled_by: applicant", "    filled_by: citizen", ":19: forms.joint_application.filled_by: Must be one of"),
    ("id: newborn", "id: baby", ":1: id: matter id 'baby' differs from its directory 'newborn'"),
    ("        max_length: 50", "        past: true", ":25: forms.joint_application.fields.0.past: only a date field"),
    ("        labels: {zh: 出生日期, en: Birth date}",
     "        past: maybe\n        labels: {zh: 出生日期, en: Birth date}",
     ":34: forms.joint_application.fields.2.past: Not a valid boolean."),
    ("        type: date", "        past: true\n        type: date\n        labels: {zh: 出生日期, en: Birth date}\n"
     "        example: 2030-03-01\n      - name: death_date\n        type: date",
     ":36: forms.joint_application.fields.2.example: example is invalid: The date is later than today"),
    ("        example: 13800138000", "        example: 13800138000\n      - name: bank_account\n"
     "        type: bank_account\n        labels: {zh: 银行账号, en: Bank account}\n        example: 12345",
     ":43: forms.joint_application.fields.4.example: example is invalid: A bank account number has 12 to 19"),
])
def test_mistakes_are_reported_at_their_line_with_their_field_path(tmp_path: Path, old: str, new: str,
                                                                     expected: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    found = problems_of(tmp_path, text)
    assert any(p.startswith(expected) for p in found), found


def test_broken_yaml_is_one_problem_with_its_line(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace("category: birth", "category: [birth"))
    assert len(found) == 1 and found[0].startswith(":4: -: not valid YAML")


def test_a_missing_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        load_matter(tmp_path)


def test_find_matters_loads_every_matter_directory(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("id: newborn", "id: retirement"), "retirement")
    (tmp_path / "notes").mkdir()
    assert [m.id for m in find_matters(tmp_path)] == ["newborn", "retirement"]


@pytest.mark.parametrize("directory", sorted(p.parent for p in PROCESSES.glob("*/matter.yaml")), ids=lambda p: p.name)
def test_every_matter_in_the_library_loads(directory: Path) -> None:
    assert load_matter(directory).id == directory.name
