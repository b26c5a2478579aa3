"""Checking who looks up a case, and throttling whoever guesses (docs/web.md, "Lookup limits").

A lookup or rating names a case number and a check: the last four digits of the applicant's phone, or
the whole mobile number. Every wrong check (or unknown number) is a `LookupFailure` row, in the
database, so every node sees the same counts. Two rules use them:

- per client address, a growing delay: after FREE_PER_CLIENT failures in CLIENT_WINDOW, the address
  waits FIRST_DELAY, then twice as long after each further failure, at most MAX_DELAY, before its next
  check is even evaluated;
- per case number, a stronger check instead of a lock: once SHORT_CHECKS_PER_NUMBER failures (from any
  addresses) fall in NUMBER_WINDOW, the four digits are no longer evaluated for that number, only the
  whole mobile number is. The applicant, who knows their number, is never locked out; a guesser with
  rotating addresses gets at most SHORT_CHECKS_PER_NUMBER tries at the four digits a window.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.cases.numbers import normalize
from engine.context import EngineContext
from engine.errors import FullPhoneRequired, NotFound, Throttled
from engine.matters.forms import PHONE
from engine.store.tables import Case
from engine.store.tables_citizen import CaseContact, LookupFailure
from engine.store.throttle import lapses_in, wait_seconds
from engine.text import Text

CLIENT_WINDOW = timedelta(hours=1)
FREE_PER_CLIENT = 5
FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=5)
NUMBER_WINDOW = timedelta(hours=24)
SHORT_CHECKS_PER_NUMBER = 5


def check_hash(salt: str, text: str) -> str:
    return hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()


def full_phone(check: str) -> str | None:
    """The check as a whole mainland mobile number (spaces, dashes and +86 dropped), None if it is not one."""
    text = re.sub(r"[\s-]", "", check)
    text = text[3:] if text.startswith("+86") else text
    return text if PHONE.match(text) else None


def _throttle(session: Session, number: str, client: str, phone: str | None, now: datetime) -> None:
    wait = wait_seconds(session, LookupFailure.at, LookupFailure.client == client, now - CLIENT_WINDOW, now,
                        free=FREE_PER_CLIENT, first=FIRST_DELAY, cap=MAX_DELAY)
    if wait:
        raise Throttled(Text("too many wrong checks from this address; try again in %(seconds)s seconds", seconds=wait),
                        retry_after=wait)
    if phone is None:
        guarded = lapses_in(session, LookupFailure.at, LookupFailure.number == number, NUMBER_WINDOW, now,
                            SHORT_CHECKS_PER_NUMBER)
        if guarded:
            raise FullPhoneRequired(
                Text("this case number has had too many wrong checks: look it up with the whole mobile number, "
                     "or with the last four digits again in %(minutes)s minutes", minutes=math.ceil(guarded / 60)),
                retry_after=guarded)


def _verified(session: Session, number: str, check: str, phone: str | None) -> Case | None:
    row = session.execute(select(Case, CaseContact).join(CaseContact, CaseContact.case_id == Case.id)
                          .where(Case.number == number)).first()
    salt, stored = (row[1].salt, row[1].phone_hash if phone else row[1].check_hash) if row else ("x", "0" * 64)
    ok = hmac.compare_digest(check_hash(salt, phone or check), stored)  # hashed either way: same timing
    return row[0] if row and ok else None


def _fail(ctx: EngineContext, number: str, client: str, now: datetime) -> None:
    with ctx.write() as session:
        session.add(LookupFailure(number=number, client=client, at=now))
        session.execute(delete(LookupFailure).where(LookupFailure.at < now - max(NUMBER_WINDOW, CLIENT_WINDOW)))


def checked_case(ctx: EngineContext, session: Session, number: str, check: str, client: str) -> Case:
    """The case if the check is right; Throttled (with retry_after) or NotFound otherwise (a failure is recorded)."""
    key = normalize(str(number or ""))[:32]
    client = (client or "-")[:64]
    check = str(check or "").strip()[:32]
    phone = full_phone(check)
    now = ctx.clock.now()
    _throttle(session, key, client, phone, now)
    case = _verified(session, key, check, phone)
    if case is None:
        session.rollback()
        _fail(ctx, key, client, now)
        raise NotFound(Text("no case with this number and check; check both and try again"))
    return case
