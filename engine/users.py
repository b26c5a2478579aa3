"""People who act in OneThing: accounts with a role and a department, and the applicant."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from engine.context import EngineContext
from engine.errors import InputError, NotFound
from engine.tables import User

ROLES = ("designer", "clerk", "auditor", "admin")
APPLICANT = "Applicant"
RESERVED = {"applicant"}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user's name, role and department, or the applicant of a case."""

    name: str
    role: str
    department: str | None = None

    @classmethod
    def applicant(cls, name: str = "applicant") -> "Actor":
        return cls(name=name, role="applicant", department=APPLICANT)

    def may_work(self, department: str | None) -> bool:
        """Whether this actor may work a step of `department` (None: a step outside every lane)."""
        if department is None:
            return self.role == "clerk"
        if department == APPLICANT:
            return self.role == "applicant"
        return self.role == "clerk" and self.department == department


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    return hmac.compare_digest(computed.hex(), digest)


def add_user(ctx: EngineContext, username: str, password: str, role: str, department: str | None = None,
             display_name: str | None = None) -> Actor:
    """Create an account; designers and clerks need a department."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", fields={"role": ["unknown role"]})
    if role in ("designer", "clerk") and not department:
        raise InputError(f"a {role} needs a department", fields={"department": ["required for " + role]})
    if not username or username.lower() in RESERVED or len(username) > 64:
        raise InputError(f"username {username!r} is not allowed", fields={"username": ["not allowed"]})
    if len(password) < 8:
        raise InputError("password must have at least 8 characters", fields={"password": ["too short"]})
    with ctx.write() as session:
        if session.get(User, username) is not None:
            raise InputError(f"user {username!r} exists already", fields={"username": ["taken"]})
        session.add(User(username=username, password_hash=hash_password(password), role=role,
                         department=department, display_name=display_name))
    return Actor(username, role, department)


def get_actor(ctx: EngineContext, username: str) -> Actor:
    """The Actor of an account name ('applicant' is the applicant)."""
    if username.lower() == "applicant":
        return Actor.applicant()
    with ctx.read() as session:
        user = session.get(User, username)
        if user is None:
            raise NotFound(f"no user {username!r} (create one with `onething user add`)")
        return Actor(user.username, user.role, user.department)


def authenticate(ctx: EngineContext, username: str, password: str) -> Actor | None:
    """The Actor if the password is right, else None."""
    with ctx.read() as session:
        user = session.get(User, username)
        if user is None or not check_password(user.password_hash, password):
            return None
        return Actor(user.username, user.role, user.department)


def list_users(ctx: EngineContext) -> list[Actor]:
    with ctx.read() as session:
        return [Actor(u.username, u.role, u.department) for u in session.scalars(select(User).order_by(User.username))]
