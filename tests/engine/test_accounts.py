"""Accounts: passwords hashed by werkzeug, old hashes still accepted and upgraded, unknown users, throttling."""
from __future__ import annotations

import hashlib
import secrets

import pytest
from sqlalchemy import func, select, update

from engine.accounts import passwords, users
from engine.errors import Throttled
from engine.store.tables import LoginFailure, User


def old_format_hash(password: str) -> str:
    """A hash as OneThing stored them before werkzeug: scrypt$<salt hex>$<digest hex> with n=2**14, r=8, p=1."""
    salt = secrets.token_bytes(16)
    return f"scrypt${salt.hex()}${hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1).hex()}"


def stored_hash(ctx, username: str) -> str:
    with ctx.read() as session:
        return session.scalar(select(User.password_hash).where(User.username == username))


def failures(ctx) -> int:
    with ctx.read() as session:
        return session.scalar(select(func.count()).select_from(LoginFailure))


def test_new_accounts_are_hashed_by_werkzeug_and_sign_in(ctx):
    users.add_user(ctx, "li.police", "password1", "clerk", "police")
    assert stored_hash(ctx, "li.police").startswith("scrypt:")  # werkzeug's method:n:r:p prefix
    assert "password1" not in stored_hash(ctx, "li.police")
    assert users.authenticate(ctx, "li.police", "password1") == users.Actor("li.police", "clerk", "police")


def test_an_old_format_hash_still_signs_in_and_is_upgraded(ctx):
    users.add_user(ctx, "li.police", "placeholder", "clerk", "police")
    with ctx.write() as session:
        session.execute(update(User).where(User.username == "li.police")
                        .values(password_hash=old_format_hash("password1")))
    old = stored_hash(ctx, "li.police")
    assert users.authenticate(ctx, "li.police", "wrong-password") is None
    assert stored_hash(ctx, "li.police") == old  # a wrong password changes nothing
    assert users.authenticate(ctx, "li.police", "password1") is not None
    upgraded = stored_hash(ctx, "li.police")
    assert upgraded != old and upgraded.startswith("scrypt:") and not passwords.needs_rehash(upgraded)
    assert users.authenticate(ctx, "li.police", "password1") is not None
    assert stored_hash(ctx, "li.police") == upgraded  # upgraded once, not on every sign-in


def test_a_wrong_password_is_refused_and_counted(ctx):
    users.add_user(ctx, "li.police", "password1", "clerk", "police")
    assert users.authenticate(ctx, "li.police", "password2") is None
    assert users.authenticate(ctx, "li.police", "") is None
    assert failures(ctx) == 2


def test_an_unknown_user_is_refused_after_a_real_comparison(ctx):
    before = passwords.dummy_hash.cache_info()
    assert users.authenticate(ctx, "nobody", "password1") is None
    after = passwords.dummy_hash.cache_info()
    assert after.hits + after.misses == before.hits + before.misses + 1  # the dummy hash was compared
    assert not passwords.needs_rehash(passwords.dummy_hash())  # as costly as a real account's hash
    assert failures(ctx) == 1


@pytest.mark.parametrize("stored", ["", "scrypt$", "scrypt$zz$00", "plain-text", "md5$salt$abc",
                                    "scrypt:1:x:1$salt$abc"])
def test_malformed_stored_hashes_match_nothing(stored):
    assert passwords.check_password(stored, "password1") is False


def test_old_and_new_hashes_check_only_their_own_password():
    for stored in (old_format_hash("password1"), passwords.hash_password("password1")):
        assert passwords.check_password(stored, "password1")
        assert not passwords.check_password(stored, "password2")
    assert passwords.needs_rehash(old_format_hash("x")) and not passwords.needs_rehash(passwords.hash_password("x"))


def test_too_many_wrong_passwords_are_throttled(ctx):
    users.add_user(ctx, "li.police", "password1", "clerk", "police")
    for _ in range(users.MAX_FAILURES_PER_USER):
        assert users.authenticate(ctx, "li.police", "nope") is None
    with pytest.raises(Throttled):
        users.authenticate(ctx, "li.police", "password1")
