"""An admin gives a ready step to a clerk of its department; nobody else may, and only to such a clerk."""
from __future__ import annotations

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.errors import InputError, NotYourDepartment

ADMIN = Actor("admin", "admin")


def _at_register(ctx, deployed) -> str:
    view = cases.start_case(ctx, deployed.matter_id, deployed.variant)
    cases.complete_step(ctx, view.number, "apply", Actor.applicant(), {"delivery": "hospital", "child": "A"})
    return view.number


def test_an_admin_reassigns_a_claimed_step(ctx, deployed, clerks):
    number = _at_register(ctx, deployed)
    cases.claim_step(ctx, number, "register", clerks["police"])
    item = cases.reassign_step(ctx, number, "register", ADMIN, "zhao.police")
    assert item.claimed_by == "zhao.police"
    cases.complete_step(ctx, number, "register", clerks["police2"], {})  # the new holder can finish it


def test_nobody_else_reassigns_and_only_to_a_clerk_of_the_department(ctx, deployed, clerks):
    number = _at_register(ctx, deployed)
    with pytest.raises(NotYourDepartment, match="may not reassign"):
        cases.reassign_step(ctx, number, "register", clerks["police"], "zhao.police")
    with pytest.raises(InputError, match="not a clerk of the step's department"):
        cases.reassign_step(ctx, number, "register", ADMIN, "wang.health")
    with pytest.raises(InputError, match="no user 'ghost'"):
        cases.reassign_step(ctx, number, "register", ADMIN, "ghost")
    assert [i.claimed_by for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register"] == [None]
