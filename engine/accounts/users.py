"""People who act in OneThing: accounts with a role and a department, and the applicant."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from engine.accounts.passwords import check_password, dummy_hash, hash_password, needs_rehash
from engine.context import EngineContext
from engine.errors import InputError, NotFound, Throttled
from engine.regions.tree import check_region
from engine.store.tables import ROOT, LoginFailure, User
from engine.store.throttle import exceeded
from engine.text import Listed, Text
from engine.vocabulary import APPLICANT, ROLES

RESERVED = {"applicant", "system"}
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 10
MAX_FAILURES_PER_CLIENT = 30


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user's name, role and department, or the applicant of a case."""

    name: str
    role: str
    department: str | None = None
    region: str = ROOT  # where a clerk works, what an auditor reads (with the regions below it)

    @classmethod
    def applicant(cls, name: str = "applicant") -> Actor:
        return cls(name=name, role="applicant", department=APPLICANT)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """OneThing itself or a trusted integration (demo data, dry runs, another department's system)."""
        return cls(name=name, role="system")

    def may_send(self, departments: set[str]) -> bool:
        """Whether this actor may deliver a message that the model passes between `departments`."""
        return self.role in ("admin", "system") or (self.role == "clerk" and self.department in departments)

    def may_work(self, department: str | None) -> bool:
        """Whether this actor may work a step of `department` (None: a step outside every lane, which any clerk
        and OneThing itself may work)."""
        if department is None:
            return self.role in ("clerk", "system")
        if department == APPLICANT:
            return self.role == "applicant"
        return self.role == "clerk" and self.department == department


def add_user(ctx: EngineContext, username: str, password: str, role: str, department: str | None = None,
             display_name: str | None = None, region: str = ROOT) -> Actor:
    """Create an account in `region`; designers and clerks need a department."""
    if role not in ROLES:
        raise InputError(Text("unknown role '%(role)s'; use one of %(roles)s", role=role, roles=Listed(ROLES)),
                         fields={"role": [Text("unknown role")]})
    if role in ("designer", "clerk") and not department:
        raise InputError(Text("a %(role)s needs a department", role=role),
                         fields={"department": [Text("required for %(role)s", role=role)]})
    if not username or username.lower() in RESERVED or len(username) > 64:
        raise InputError(Text("username '%(user)s' is not allowed", user=username),
                         fields={"username": [Text("not allowed")]})
    if len(password) < 8:
        raise InputError(Text("password must have at least 8 characters"), fields={"password": [Text("too short")]})
    if department is not None and role in ("designer", "clerk"):
        from engine.catalog.departments import known_departments  # the catalog needs accounts: import when used

        known = known_departments(ctx)
        if known and department not in known:  # before any deploy there is nothing to check against
            raise InputError(Text("no department '%(department)s' in the deployed matters; known: %(departments)s",
                                  department=department, departments=Listed(sorted(known))),
                             fields={"department": [Text("unknown department")]})
    with ctx.write() as session:
        if session.get(User, username) is not None:
            raise InputError(Text("user '%(user)s' exists already", user=username),
                             fields={"username": [Text("taken")]})
        check_region(session, region)
        session.add(User(username=username, password_hash=hash_password(password), role=role,
                         department=department, display_name=display_name, region=region))
    return Actor(username, role, department, region)


def get_actor(ctx: EngineContext, username: str) -> Actor:
    """The Actor of an account name ('applicant' is the applicant)."""
    if username.lower() == "applicant":
        return Actor.applicant()
    with ctx.read() as session:
        user = session.get(User, username)
        if user is None:
            raise NotFound(f"no user {username!r} (create one with `onething user add`)")
        return Actor(user.username, user.role, user.department, user.region)


def department_clerks(ctx: EngineContext) -> dict[str, dict[str, list[str]]]:
    """The clerks of each region's departments, by name: {region: {department: [names]}} (whom an admin may give
    a step to: a clerk of the step's department in the case's region)."""
    with ctx.read() as session:
        rows = session.execute(select(User.region, User.department, User.username).where(User.role == "clerk")
                               .order_by(User.region, User.department, User.username)).all()
    found: dict[str, dict[str, list[str]]] = {}
    for region, department, username in rows:
        found.setdefault(region, {}).setdefault(department, []).append(username)
    return found


def authenticate(ctx: EngineContext, username: str, password: str, client: str = "-") -> Actor | None:
    """The Actor if the password is right, else None; Throttled after too many wrong passwords.

    An unknown user name costs as much time as a wrong password, so timing does not tell which
    names exist.
    """
    username, client = username[:64], client[:64]
    with ctx.write() as session:
        now = ctx.clock.now()
        _throttle(session, username, client, now)
        user = session.get(User, username)
        right = check_password(user.password_hash if user else dummy_hash(), password)
        if user is None or not right:
            session.add(LoginFailure(username=username, client=client, at=now))
            return None
        if needs_rehash(user.password_hash):  # the password is known only now: upgrade an old hash
            user.password_hash = hash_password(password)
        return Actor(user.username, user.role, user.department, user.region)


def _throttle(session, username: str, client: str, now) -> None:
    if exceeded(session, LoginFailure.at, now - LOGIN_WINDOW,
                (LoginFailure.username == username, MAX_FAILURES_PER_USER),
                (LoginFailure.client == client, MAX_FAILURES_PER_CLIENT)):
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        raise Throttled(Text("too many wrong passwords; try again in %(minutes)s minutes", minutes=minutes))


def session_generation(ctx: EngineContext, username: str) -> int | None:
    """The user's current session generation (None: no such user any more)."""
    with ctx.read() as session:
        return session.scalar(select(User.session_generation).where(User.username == username))


def end_sessions(ctx: EngineContext, username: str) -> None:
    """Sign the user out everywhere: every session made before now stops working."""
    with ctx.write() as session:
        session.execute(update(User).where(User.username == username)
                        .values(session_generation=User.session_generation + 1))

