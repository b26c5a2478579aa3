"""The applicant's side: intake form, applying in one transaction, lookup, rating (throttling: test_lookup_limits)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.errors import Conflict, InputError, NotFound, Throttled
from engine.matters.forms import example_data
from engine.store.tables import Case
from engine.store.tables_citizen import CaseContact

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
PHONE = "13912345678"


@pytest.fixture
def matters(ctx):
    return catalog.deploy_path(ctx, PROCESSES)


@pytest.fixture
def apply_newborn(ctx, matters):
    def make(**changes) -> str:
        data = {**example_data(citizen.intake_form(ctx, "newborn")), **changes}
        return citizen.apply(ctx, "newborn", data, PHONE)
    return make


def _finish(ctx, number: str) -> None:
    def three_hours_pass() -> bool:
        ctx.clock.advance(timedelta(hours=3))
        return True

    assert drive_case(ctx, number, before_each=three_hours_pass).view.status == "completed"


def test_intake_form_is_the_first_applicant_form_of_the_after_variant(ctx, matters):
    assert citizen.intake_form(ctx, "newborn").id == "joint_application"
    assert citizen.intake_form(ctx, "business_startup").id == "joint_application"


def test_apply_starts_a_case_past_its_applicant_step(ctx, apply_newborn):
    number = apply_newborn()
    view = cases.get_case(ctx, number)
    assert [s.step_id for s in view.ready_steps] == ["register_birth"]
    assert view.data["mother_name"] == "李芳"
    assert [e.step_id for e in cases.step_log(ctx, number)] == ["submit_joint_application"]


def test_the_contact_is_stored_as_salted_hashes_only(ctx, apply_newborn):
    apply_newborn()
    with ctx.read() as session:
        contact = session.scalars(select(CaseContact)).one()
        assert PHONE not in (contact.phone_hash + contact.check_hash) and len(contact.salt) == 32


def test_invalid_input_starts_no_case(ctx, apply_newborn):
    with pytest.raises(InputError) as error:
        apply_newborn(mother_id="123")
    assert "mother_id" in error.value.fields
    with pytest.raises(InputError) as error:
        citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), "12345")
    assert "phone" in error.value.fields
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_lookup_tells_the_stage_in_plain_words(ctx, apply_newborn):
    progress = citizen.lookup(ctx, apply_newborn(), "5678", "10.0.0.1")
    assert progress.status == "running" and progress.steps_done == 1 and progress.steps_expected == 3
    assert "公安局" in progress.stage_zh and "Public Security Bureau" in progress.stage_en
    assert progress.next_en.startswith("Next:") and not progress.can_rate
    assert PHONE not in repr(progress) and "李芳" not in repr(progress)


def test_wrong_check_and_unknown_number_give_the_same_error(ctx, apply_newborn):
    number = apply_newborn()
    with pytest.raises(NotFound) as wrong:
        citizen.lookup(ctx, number, "0000", "a")
    with pytest.raises(NotFound) as unknown:
        citizen.lookup(ctx, "20260101-00000", "5678", "a")
    assert wrong.value.message == unknown.value.message


def test_rating_only_a_completed_case_and_only_once(ctx, apply_newborn):
    number = apply_newborn()
    with pytest.raises(Conflict):
        citizen.rate(ctx, number, "5678", 5)
    _finish(ctx, number)
    assert citizen.lookup(ctx, number, "5678", "x").can_rate
    with pytest.raises(InputError):
        citizen.rate(ctx, number, "5678", 6)
    with pytest.raises(InputError):
        citizen.rate(ctx, number, "5678", 4, "x" * 501)
    citizen.rate(ctx, number, "5678", 4, "一次办好")
    with pytest.raises(Conflict):
        citizen.rate(ctx, number, "5678", 5)
    progress = citizen.lookup(ctx, number, "5678", "x")
    assert (progress.rating, progress.rating_comment, progress.can_rate) == (4, "一次办好", False)
    assert progress.stage_en.startswith("Completed on")


def test_applications_from_one_address_are_limited_per_hour(ctx, matters, clock):
    data = example_data(citizen.intake_form(ctx, "newborn"))
    for _ in range(citizen.MAX_APPLICATIONS):
        citizen.apply(ctx, "newborn", data, PHONE, client="10.0.0.7")
    with pytest.raises(Throttled):
        citizen.apply(ctx, "newborn", data, PHONE, client="10.0.0.7")
    assert citizen.apply(ctx, "newborn", data, PHONE, client="10.0.0.8")  # another address is not held up
    clock.advance(timedelta(hours=1, minutes=1))
    assert citizen.apply(ctx, "newborn", data, PHONE, client="10.0.0.7")


def test_every_wrong_field_of_an_application_is_reported_at_once(ctx, apply_newborn):
    """The contact phone was checked first and alone; a birth date ahead of the engine's clock and an account
    'abc' passed. The ctx clock stands at 2026-01-05 while the machine's date is later."""
    assert ctx.clock.now().date().isoformat() == "2026-01-05"
    data = {**example_data(citizen.intake_form(ctx, "newborn")), "birth_date": "2026-01-06",
            "bank_account": "abc", "child_name": ""}
    with pytest.raises(InputError) as error:
        citizen.apply(ctx, "newborn", data, "12345")
    found = {name: [m.id for m in messages] for name, messages in error.value.fields.items()}
    assert found == {"phone": ["not_phone"], "birth_date": ["in_future"], "bank_account": ["not_bank_account"],
                     "child_name": ["required"]}
    assert citizen.apply(ctx, "newborn", {**data, "birth_date": "2026-01-05", "bank_account": "6222 0202 0011 2233 445",
                                          "child_name": "王小明"}, PHONE)
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_forms_contact_phone_is_the_lookup_phone_when_none_is_given_apart(ctx, matters):
    form = citizen.application_form(ctx, "newborn")
    assert form.contact is not None and form.contact.name == "phone"
    data = {**example_data(form.form), "phone": "13700004321"}
    number = citizen.apply(ctx, "newborn", data, None)
    assert citizen.lookup(ctx, number, "4321", "a").number == number
    with pytest.raises(NotFound):
        citizen.lookup(ctx, number, PHONE[-4:], "a")
    with pytest.raises(InputError) as error:  # the form's phone is wrong: reported once, on the form's field
        citizen.apply(ctx, "newborn", {**data, "phone": "123"}, "")
    assert {name: [m.id for m in messages] for name, messages in error.value.fields.items()} == {
        "phone": ["not_phone"]}


def test_a_rated_case_says_thank_you_once(ctx, apply_newborn):
    number = apply_newborn()
    _finish(ctx, number)
    citizen.rate(ctx, number, "5678", 5)
    progress = citizen.lookup(ctx, number, "5678", "x")
    assert "thank" not in progress.next_en.lower() and "感谢" not in progress.next_zh  # the page says it once
