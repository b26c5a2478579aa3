"""Lookup limits (issues #11 item 5, #15 item 6): the guesser is slowed, the applicant with the right check never
locked out. Every test runs on SQLite and PostgreSQL (the counts live in the database, shared by all nodes)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.catalog import versions as catalog
from engine.citizen import applications as citizen, checks
from engine.errors import FullPhoneRequired, NotFound, Throttled
from engine.matters.forms import example_data
from engine.store.tables_citizen import LookupFailure
from engine.store.throttle import delay_after

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
PHONE = "13912345678"


@pytest.fixture
def number(ctx):
    catalog.deploy_path(ctx, PROCESSES)
    return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)


def _failures(ctx, **where) -> int:
    with ctx.read() as session:
        conditions = [getattr(LookupFailure, name) == value for name, value in where.items()]
        return session.scalar(select(func.count()).select_from(LookupFailure).where(*conditions))


def test_the_owner_with_the_whole_phone_gets_in_after_strangers_failures_from_many_addresses(ctx, number):
    for i in range(5):
        with pytest.raises(NotFound):
            citizen.lookup(ctx, number, f"000{i}", f"10.1.0.{i}")
    with pytest.raises(FullPhoneRequired) as refused:  # the four digits, even right ones, are not evaluated
        citizen.lookup(ctx, number, "5678", "10.2.0.1")
    assert 23 * 3600 < refused.value.retry_after <= 24 * 3600 and "whole mobile number" in refused.value.message
    assert citizen.lookup(ctx, number, PHONE, "10.2.0.1").number == number
    assert citizen.lookup(ctx, number, "+86 139-1234-5678", "10.2.0.1").number == number
    ctx.clock.advance(timedelta(hours=24, seconds=1))  # the failures age out: the four digits work again
    assert citizen.lookup(ctx, number, "5678", "10.2.0.1").number == number


def test_rotating_addresses_get_five_tries_at_the_four_digits_a_day(ctx, number):
    outcomes = []
    for i in range(100):  # a new address for every guess, each guess a different check
        try:
            citizen.lookup(ctx, number, f"{i:04d}", f"10.3.{i}.1")
            outcomes.append("found")
        except FullPhoneRequired:
            outcomes.append("refused")
        except NotFound:
            outcomes.append("wrong")
    assert outcomes == ["wrong"] * 5 + ["refused"] * 95
    with pytest.raises(FullPhoneRequired):  # guessing right now tells the guesser nothing
        citizen.lookup(ctx, number, "5678", "10.3.200.1")
    assert _failures(ctx, number=number) == 5
    ctx.clock.advance(timedelta(hours=12))
    with pytest.raises(FullPhoneRequired):
        citizen.lookup(ctx, number, "5678", "10.3.201.1")


def test_wrong_whole_phones_count_and_keep_the_number_guarded(ctx, number):
    for i in range(5):
        with pytest.raises(NotFound):
            citizen.lookup(ctx, number, f"1391234000{i}", f"10.4.0.{i}")
    with pytest.raises(FullPhoneRequired):
        citizen.lookup(ctx, number, "5678", "10.4.1.1")
    assert citizen.lookup(ctx, number, PHONE, "10.4.1.1").number == number


def test_a_number_under_guard_reads_the_same_whether_it_exists_or_not(ctx, number):
    unknown = "20260101-00000"
    for key in (number, unknown):
        for i in range(5):
            with pytest.raises(NotFound):
                citizen.lookup(ctx, key, "0000", f"10.5.{i}.{len(key)}")
    with pytest.raises(FullPhoneRequired) as real:
        citizen.lookup(ctx, number, "0000", "10.5.9.1")
    with pytest.raises(FullPhoneRequired) as fake:
        citizen.lookup(ctx, unknown, "0000", "10.5.9.2")
    assert real.value.message == fake.value.message


def test_one_address_guessing_waits_a_growing_delay(ctx, number):
    guesser = "10.6.0.9"
    for i in range(5):  # five free failures (on numbers that do not exist: one failure each)
        with pytest.raises(NotFound):
            citizen.lookup(ctx, f"20260101-0000{i}", "0000", guesser)
    waits = []
    for _ in range(12):
        with pytest.raises(Throttled) as waiting:
            citizen.lookup(ctx, number, "0000", guesser)
        assert not isinstance(waiting.value, FullPhoneRequired)
        waits.append(waiting.value.retry_after)
        ctx.clock.advance(timedelta(seconds=waiting.value.retry_after))
        with pytest.raises(NotFound):  # evaluated once the wait is over
            citizen.lookup(ctx, f"20260102-{len(waits):05d}", "0000", guesser)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert citizen.lookup(ctx, number, "5678", "10.6.0.10").number == number  # other addresses do not wait
    with pytest.raises(Throttled):  # an applicant sharing the guesser's address waits too (never past 5 minutes)
        citizen.lookup(ctx, number, "5678", guesser)
    ctx.clock.advance(timedelta(minutes=5))
    assert citizen.lookup(ctx, number, "5678", guesser).number == number


def test_an_address_is_forgiven_when_its_failures_leave_the_window(ctx, number):
    for i in range(8):
        ctx.clock.advance(timedelta(minutes=1))
        with pytest.raises(NotFound):
            citizen.lookup(ctx, f"20260101-0000{i}", "0000", "10.7.0.1")
    ctx.clock.advance(checks.CLIENT_WINDOW)
    with pytest.raises(NotFound):
        citizen.lookup(ctx, "20260101-00009", "0000", "10.7.0.1")
    assert citizen.lookup(ctx, number, "5678", "10.7.0.1").number == number


def test_ratings_share_the_limits_and_the_owner_rates_with_the_whole_phone(ctx, number):
    for i in range(5):
        with pytest.raises(NotFound):
            citizen.rate(ctx, number, f"000{i}", 5, client=f"10.8.0.{i}")
    with pytest.raises(FullPhoneRequired):
        citizen.rate(ctx, number, "5678", 5, client="10.8.1.1")
    assert _failures(ctx, client="10.8.0.0") == 1 and _failures(ctx, client="-") == 0


def test_the_delay_doubles_from_one_second_up_to_five_minutes():
    first, cap = checks.FIRST_DELAY, checks.MAX_DELAY
    assert [delay_after(n, 5, first, cap).total_seconds() for n in (0, 4, 5, 6, 7, 13, 14, 1000)] == \
        [0, 0, 1, 2, 4, 256, 300, 300]
