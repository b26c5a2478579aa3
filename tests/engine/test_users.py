"""Accounts: which ones may be made, and sign-in that tells nothing about which names exist (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.errors import InputError, Throttled
from engine.store.tables import User


def _accounts(ctx) -> list[users.Actor]:
    with ctx.read() as session:
        return [users.Actor(u.username, u.role, u.department)
                for u in session.scalars(select(User).order_by(User.username))]


@pytest.mark.parametrize("username,password,role,department,field", [
    ("li", "password1", "mayor", None, "role"),
    ("li", "password1", "clerk", None, "department"),
    ("li", "password1", "designer", "", "department"),
    ("applicant", "password1", "auditor", None, "username"),
    ("System", "password1", "auditor", None, "username"),
    ("x" * 65, "password1", "auditor", None, "username"),
    ("", "password1", "auditor", None, "username"),
    ("li", "short", "auditor", None, "password"),
])
def test_an_account_is_refused_with_the_field_that_is_wrong(ctx, username, password, role, department, field):
    with pytest.raises(InputError) as refused:
        users.add_user(ctx, username, password, role, department)
    assert set(refused.value.fields) == {field}
    assert _accounts(ctx) == []


def test_accounts_are_listed_by_name_and_names_are_taken_once(ctx):
    users.add_user(ctx, "zhao.police", "password1", "clerk", "police")
    users.add_user(ctx, "auditor", "password1", "auditor")
    with pytest.raises(InputError, match="exists already"):
        users.add_user(ctx, "auditor", "password2", "admin")
    assert [(a.name, a.role, a.department) for a in _accounts(ctx)] == [
        ("auditor", "auditor", None), ("zhao.police", "clerk", "police")]


def test_an_unknown_name_is_refused_and_throttled_like_a_wrong_password(ctx, clock):
    users.add_user(ctx, "li.police", "password1", "clerk", "police")
    for name in ("li.police", "nobody"):
        for _ in range(users.MAX_FAILURES_PER_USER):
            assert users.authenticate(ctx, name, "wrong-password", f"client-{name}") is None
        with pytest.raises(Throttled):
            users.authenticate(ctx, name, "wrong-password", f"client-{name}")
    clock.advance(users.LOGIN_WINDOW + timedelta(seconds=1))
    assert users.authenticate(ctx, "li.police", "password1").name == "li.police"
    assert users.authenticate(ctx, "nobody", "password1") is None


def test_a_clerk_or_designer_needs_a_department_of_the_deployed_matters(ctx):
    from engine.catalog import versions as catalog
    from tests.conftest import PROCESSES

    users.add_user(ctx, "early.clerk", "password1", "clerk", "anything")  # nothing deployed: nothing to check against
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    with pytest.raises(InputError, match="no department 'nosuchdept' in the deployed matters; known: .*police"):
        users.add_user(ctx, "li.clerk", "password1", "clerk", "nosuchdept")
    assert users.add_user(ctx, "li.clerk", "password1", "clerk", "police").department == "police"
    assert users.add_user(ctx, "auditor.wang", "password1", "auditor").department is None
