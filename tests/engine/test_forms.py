"""Form validation: resident IDs, phones, dates, choices, required and unknown fields."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from engine.errors import InputError
from engine.matters.files import Choice, Form, FormField, Names
from engine.matters.forms import example_data, form_schema, validate_form
from engine.matters.messages import TEXTS
from engine.runtime.clock import SimulatedClock, using_clock

N = Names("中", "en")
FORM = Form("joint_application", N, "applicant", (
    FormField("child_name", "text", True, N, max_length=4, example="王小明"),
    FormField("mother_id", "resident_id", True, N, example="11010519491231002X"),
    FormField("phone", "phone", False, N, example="13800138000"),
    FormField("email", "email", False, N),
    FormField("birth_date", "date", True, N, example="2024-03-01"),
    FormField("weight_kg", "number", False, N, min=0.5, max=8),
    FormField("children", "integer", False, N, min=1, max=10),
    FormField("twins", "boolean", False, N),
    FormField("delivery", "choice", True, N, choices=(Choice("hospital", N), Choice("home", N)), example="hospital"),
))


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, written independently of engine.matters.forms: sum of d_i * 2^(17-i), mapped by table."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def valid(**overrides: object) -> dict:
    data = {"child_name": "王小明", "mother_id": "11010519491231002X", "birth_date": "2024-03-01",
            "delivery": "hospital"}
    data.update(overrides)
    return data


def field_errors(data: dict, **kwargs: bool) -> dict:
    with pytest.raises(InputError) as caught:
        validate_form(FORM, data, **kwargs)
    return caught.value.fields


def test_valid_data_is_cleaned_to_json_values() -> None:
    cleaned = validate_form(FORM, valid(mother_id="11010519491231002x", weight_kg="3.25", children="2", twins="true",
                                        phone="13912345678", email="a@example.org", birth_date=dt.date(2024, 3, 1)))
    assert cleaned["mother_id"] == "11010519491231002X"
    assert cleaned["weight_kg"] == 3.25 and cleaned["children"] == 2 and cleaned["twins"] is True
    assert cleaned["birth_date"] == "2024-03-01"
    json.dumps(cleaned)


@pytest.mark.parametrize("first17", ["11010519491231002", "44030419900307123", "31011520001229456",
                                     "51010820120101001"])
def test_resident_ids_with_the_right_check_character_pass_and_others_fail(first17: str) -> None:
    right = check_character(first17)
    assert validate_form(FORM, valid(mother_id=first17 + right))["mother_id"] == first17 + right
    for wrong in sorted(set("0123456789X") - {right})[:3]:
        assert "check character" in field_errors(valid(mother_id=first17 + wrong))["mother_id"][0]


def test_known_resident_id_check_character() -> None:
    assert check_character("11010519491231002") == "X"


@pytest.mark.parametrize("bad, words", [
    ("1101051949123100", "17 digits"), ("11010519491331002" + "X", "not a date"),
    ("110105" + "20990101" + "001", "out of range"), ("11010519491231002Y", "17 digits"),
])
def test_malformed_resident_ids(bad: str, words: str) -> None:
    if len(bad) == 17:
        bad += check_character(bad)
    assert words in field_errors(valid(mother_id=bad))["mother_id"][0]


@pytest.mark.parametrize("phone, ok", [("13800138000", True), ("19912345678", True), ("12800138000", False),
                                       ("1380013800", False), ("138001380001", False), ("+8613800138000", False)])
def test_mainland_mobile_numbers(phone: str, ok: bool) -> None:
    if ok:
        assert validate_form(FORM, valid(phone=phone))["phone"] == phone
    else:
        assert "phone" in field_errors(valid(phone=phone))


@pytest.mark.parametrize("field, value", [
    ("birth_date", "2024-02-30"), ("birth_date", "01/03/2024"), ("delivery", "taxi"), ("child_name", "王小明明明"),
    ("weight_kg", 9), ("children", 0), ("children", 1.5), ("email", "not-an-email"), ("twins", "maybe"),
])
def test_invalid_values_are_reported_per_field(field: str, value: object) -> None:
    assert list(field_errors(valid(**{field: value}))) == [field]


def test_required_fields_and_blank_values() -> None:
    errors = field_errors({"child_name": "  ", "mother_id": "11010519491231002X"})
    assert set(errors) == {"child_name", "birth_date", "delivery"}
    assert validate_form(FORM, {"delivery": "home"}, partial=True) == {"delivery": "home"}
    assert "phone" not in validate_form(FORM, valid(phone=""))


def test_unknown_fields_are_refused() -> None:
    assert "hacker" in field_errors(valid(hacker="1"))


def test_schema_is_built_once_and_examples_validate() -> None:
    assert form_schema(FORM) is form_schema(FORM)
    examples = example_data(FORM)
    assert set(examples) == {"child_name", "mother_id", "phone", "birth_date", "delivery"}
    assert validate_form(FORM, examples) == examples


@pytest.mark.parametrize("field, value, message_id, values", [
    ("child_name", "王小明明明", "too_long", {"max": 4}), ("weight_kg", 9, "between", {"min": 0.5, "max": 8}),
    ("children", 1.5, "not_whole_number", {}), ("delivery", "taxi", "not_a_choice", {"choices": "hospital, home"}),
    ("phone", "12800138000", "not_phone", {}), ("mother_id", "11010519491231002Y", "resident_id_shape", {}),
    ("email", "not-an-email", "not_email", {}), ("birth_date", "2024-02-30", "not_date", {}),
    ("twins", "maybe", "not_boolean", {}), ("hacker", "1", "unknown_field", {}),
    ("children", "1" * 5000, "number_too_large", {}),  # more digits than int() converts: was a ValueError (a 500)
    ("weight_kg", "1" * 5000, "not_finite", {}), ("weight_kg", "NaN", "not_finite", {}),
])
def test_each_error_carries_a_stable_id_and_its_values(field: str, value: object, message_id: str,
                                                       values: dict) -> None:
    [error] = field_errors(valid(**{field: value}))[field]
    assert (error.id, error.values) == (message_id, values)
    assert error == TEXTS[message_id].format(**values)  # the English text, as the API and the CLI show it
    assert str(value) not in error.values.values()  # what was typed (maybe personal data) is not kept


def test_a_missing_required_field_has_the_required_id() -> None:
    errors = field_errors({"mother_id": "11010519491231002X"})
    assert {e.id for messages in errors.values() for e in messages} == {"required"}


# -- dates that cannot be in the future, bank accounts, every problem at once (issue #11 item 3) ----------------

DEATH = Form("after_death", N, "applicant", (
    FormField("date_of_death", "date", True, N, example="2025-05-02", past=True),
    FormField("farewell_date", "date", False, N),  # no `past`: a ceremony may be planned ahead
    FormField("heir_bank_account", "bank_account", True, N, example="6222020200998877665"),
    FormField("child_name", "text", True, N, max_length=4),
))


def at(iso: str) -> SimulatedClock:
    return SimulatedClock(dt.datetime.fromisoformat(iso))


def death(**overrides: object) -> dict:
    return {"date_of_death": "2025-05-02", "heir_bank_account": "6222020200998877665", "child_name": "王明",
            **overrides}


def field_errors_of(form: Form, data: dict) -> dict:
    with pytest.raises(InputError) as caught:
        validate_form(form, data)
    return caught.value.fields


def test_a_past_date_cannot_be_later_than_today_by_the_engines_clock() -> None:
    with using_clock(at("2026-01-05T01:00:00+00:00")):  # the machine's date is later: the engine's clock decides
        assert validate_form(DEATH, death(date_of_death="2026-01-05"))["date_of_death"] == "2026-01-05"
        with pytest.raises(InputError) as caught:
            validate_form(DEATH, death(date_of_death="2026-01-06", farewell_date="2030-01-01"))
    [error] = caught.value.fields["date_of_death"]
    assert (error.id, error.values) == ("in_future", {"today": "2026-01-05"})
    assert set(caught.value.fields) == {"date_of_death"}  # a date without `past` may be in the future


def test_today_is_chinas_date_not_utcs() -> None:
    with using_clock(at("2026-01-05T17:00:00+00:00")):  # 01:00 on 6 January in Beijing
        assert validate_form(DEATH, death(date_of_death="2026-01-06"))["date_of_death"] == "2026-01-06"
        assert "date_of_death" in field_errors_of(DEATH, death(date_of_death="2026-01-07"))


@pytest.mark.parametrize("typed, kept", [("6222020200998877665", "6222020200998877665"),
                                         ("6222 0202 0099 8877 665", "6222020200998877665"),
                                         ("310012345678", "310012345678")])
def test_a_bank_account_keeps_its_digits_without_spaces(typed: str, kept: str) -> None:
    assert validate_form(DEATH, death(heir_bank_account=typed))["heir_bank_account"] == kept


@pytest.mark.parametrize("typed", ["abc", "12345678901", "1" * 20, "6222-0202-0099-8877",
                                   "６２２２０２０２００９９８８", "622202020099887766a"])
def test_a_bank_account_is_12_to_19_digits(typed: str) -> None:
    [error] = field_errors_of(DEATH, death(heir_bank_account=typed))["heir_bank_account"]
    assert error.id == "not_bank_account" and error == "A bank account number has 12 to 19 digits."


def test_every_wrong_field_is_reported_at_once() -> None:
    with using_clock(at("2026-01-05T01:00:00+00:00")):
        errors = field_errors_of(DEATH, {"date_of_death": "2030-01-01", "heir_bank_account": "abc"})
    assert {name: [e.id for e in found] for name, found in errors.items()} == {
        "date_of_death": ["in_future"], "heir_bank_account": ["not_bank_account"], "child_name": ["required"]}
