"""Who may do what with matters and cases: the rules every caller (pages, API, CLI) goes through."""
from __future__ import annotations

from collections.abc import Callable, Set

from engine.accounts.users import Actor
from engine.errors import CaseNotFound, NotYourDepartment
from engine.text import Listed, Text
from engine.vocabulary import ROOT_REGION

TRUSTED = ("admin", "system")
READ_ALL = (*TRUSTED, "auditor")  # every matter's cases (the region still scopes an auditor below the root)


def region_bound(actor: Actor | None) -> bool:
    """Whether the region scopes what `actor` reads and acts on: clerks (their own region) and auditors below
    the root (their region and everything below it); admins, the system, the applicant and a root auditor are not."""
    return actor is not None and (actor.role == "clerk" or (actor.role == "auditor" and actor.region != ROOT_REGION))


def in_region(actor: Actor | None, region: str, below: Callable[[], Set[str]]) -> bool:
    """Whether a case of `region` is within `actor`'s reach: a clerk's own region only, an auditor's region and
    everything below it (`below`: the auditor's region's subtree, asked only for an auditor below the root)."""
    if not region_bound(actor):
        return True
    assert actor is not None
    if actor.role == "clerk":
        return region == actor.region
    return region in below()


def may_read_matter(actor: Actor | None, departments: Set[str]) -> bool:
    """Auditors and admins read every matter's cases; clerks those their department takes part in."""
    if actor is None:
        return False
    if actor.role in READ_ALL:
        return True
    return actor.role == "clerk" and actor.department in departments


def check_may_read(actor: Actor | None, departments: Set[str], matter_id: str) -> None:
    """NotYourDepartment unless `actor` may see cases of the matter."""
    if not may_read_matter(actor, departments):
        who = actor.department if actor is not None else None
        raise NotYourDepartment(Text("department '%(department)s' takes no part in matter '%(matter)s'",
                                     department=str(who), matter=matter_id))


def check_takes_part(actor: Actor | None, departments: Callable[[], Set[str]], number: str, *,
                     reading: bool = False, region: str = ROOT_REGION,
                     below: Callable[[], Set[str]] = frozenset) -> None:
    """CaseNotFound, the very answer for a number no case has, unless `actor` takes part in the case.

    Whoever may read the case takes part (auditors, admins, the system, clerks of its departments), and,
    unless `reading`, the applicant (the engine's actor for the applicant's own steps; applicants read their
    case by lookup). Use cases check this first, before anything that depends on the case's state, so staff
    outside a case cannot tell it from a case that does not exist. `departments` is asked only for a clerk.
    The case's `region` must be within the actor's reach as well (`in_region`: a clerk of county A cannot tell
    county B's case from a missing one).
    """
    if actor is not None and (actor.role in READ_ALL or (actor.role == "applicant" and not reading)
                              or (actor.role == "clerk" and actor.department in departments())) \
            and in_region(actor, region, below):
        return
    raise CaseNotFound.of(number)


def check_may_act(actor: Actor, departments: Set[str], matter_id: str, region: str | None = None) -> None:
    """Clerks act on cases of matters their department takes part in, in their own region (`region`: the case's,
    or where a case would start); admins and the system on any."""
    if actor.role in TRUSTED:
        return
    if actor.role != "clerk" or actor.department not in departments:
        raise NotYourDepartment(Text("%(user)s (%(role)s) may not act on cases of matter '%(matter)s'",
                                     user=actor.name, role=actor.role, matter=matter_id))
    if region is not None and region != actor.region:
        raise NotYourDepartment(Text("%(user)s works in region '%(region_own)s', not in '%(region)s'",
                                     user=actor.name, region_own=actor.region, region=region))


def check_may_deploy(actor: Actor, matter_id: str, deployed: Set[str], declared: Set[str]) -> None:
    """A designer deploys only a matter their department takes part in: as declared in the upload and as deployed.

    The upload's matter.yaml is written by the designer, so listing their own department there must not
    open another department's matter: the departments of the deployed versions are checked as well.
    """
    if actor.role in TRUSTED:
        return
    if actor.role != "designer" or actor.department not in declared or (deployed and actor.department not in deployed):
        raise NotYourDepartment(Text("%(user)s is not a designer of a department of matter '%(matter)s'",
                                     user=actor.name, matter=matter_id))


def check_may_change_departments(actor: Actor, matter_id: str, variant: str, current: Set[str] | None,
                                 deployed: Set[str], new: Set[str]) -> None:
    """Which departments a model sends work to is for all of them to decide, not for one designer.

    A designer deploys a new version with the departments of the current one; a first version of a
    variant with departments the matter already has; a new matter with their own department only.
    Anything else (taking a shared matter over, or sending work to departments that never agreed)
    needs an admin.
    """
    if actor.role in TRUSTED:
        return
    where = f"{matter_id}/{variant}"
    if current is not None and new != current:
        raise NotYourDepartment(Text("changing the departments of %(where)s (from %(departments_from)s to "
                                     "%(departments_to)s) needs an admin: every owning department has to agree",
                                     where=where, departments_from=Listed(sorted(current)),
                                     departments_to=Listed(sorted(new), Text("none"))))
    if current is None and deployed and not new <= deployed:
        raise NotYourDepartment(Text("%(where)s would send work to %(departments)s, which take no part in matter "
                                     "'%(matter)s'; that needs an admin", where=where,
                                     departments=Listed(sorted(new - deployed)), matter=matter_id))
    if current is None and not deployed and not new <= {actor.department}:
        raise NotYourDepartment(Text("a new matter whose lanes send work to other departments (%(departments)s) "
                                     "needs an admin", departments=Listed(sorted(new - {actor.department}))))
