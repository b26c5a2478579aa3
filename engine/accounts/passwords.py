"""Password hashes: werkzeug's format for new ones; OneThing's first format is still accepted, then upgraded."""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

OLD_PREFIX = "scrypt$"  # werkzeug writes "scrypt:n:r:p$...", so the two formats cannot be mistaken


def hash_password(password: str) -> str:
    """A salted hash of `password` in werkzeug's format, with werkzeug's current method and cost."""
    return generate_password_hash(password)


def check_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (either format); a malformed hash matches nothing."""
    if stored.startswith(OLD_PREFIX):
        return _check_old(stored, password)
    try:
        return check_password_hash(stored, password)
    except ValueError:  # a method werkzeug does not know
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made another way than hash_password makes one now (old format, older cost)."""
    return _method(stored) != _method(dummy_hash())


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash that no password given at sign-in matches, checked for unknown users so timing tells nothing."""
    return hash_password("no such user: compared so that timing tells nothing")


def _method(stored: str) -> str:
    return stored.split("$", 1)[0]


def _check_old(stored: str, password: str) -> bool:
    """The format OneThing wrote before werkzeug: scrypt$<salt hex>$<digest hex>, n=2**14, r=8, p=1."""
    try:
        _, salt, digest = stored.split("$")
        computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)
