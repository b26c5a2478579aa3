"""A clerk's verbs on the command line: claim, release, message, cancel, and what `case show` then tells."""
from __future__ import annotations

import json

import pytest

from engine.cases import lifecycle as cases
from engine.cases.driving import step_data
from engine.catalog import versions as catalog
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from web.cli import cli

PHONE = "13700008000"


@pytest.fixture
def onething(app):
    """onething(*args, ok=True): the `onething` command run in-process on the test app's database."""
    runner = app.test_cli_runner()  # click >= 8.2 keeps stderr apart (result.stderr)

    def call(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert (result.exit_code == 0) == ok, (args, result.output, result.stderr)
        return result

    return call


@pytest.fixture
def newborn(ctx) -> str:
    """A newborn case applied for online: the police's register_birth is ready, the case waits for hukou_registered."""
    return citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), PHONE)


def test_a_clerk_claims_and_releases_a_step(onething, ctx, newborn):
    claimed = onething("case", "claim", newborn, "register_birth", "--as", "clerk.police")
    assert claimed.output.strip() == f"register_birth of case {newborn} claimed by clerk.police"
    item = next(i for i in cases.get_case(ctx, newborn).ready_steps if i.step_id == "register_birth")
    assert item.claimed_by == "clerk.police"
    listed = onething("case", "steps", "--department", "police").output
    assert listed.startswith(f"{newborn}  register_birth") and listed.strip().endswith("claimed by clerk.police")
    refused = onething("case", "claim", newborn, "register_birth", "--as", "clerk.police2", ok=False)
    assert refused.exit_code == 1 and "no user 'clerk.police2'" in refused.stderr
    released = onething("case", "release", newborn, "register_birth", "--as", "clerk.police")
    assert released.output.strip() == f"register_birth of case {newborn} released"
    item = next(i for i in cases.get_case(ctx, newborn).ready_steps if i.step_id == "register_birth")
    assert item.claimed_by is None


def test_only_the_claimer_may_release_and_other_departments_may_not_claim(onething, newborn):
    onething("case", "claim", newborn, "register_birth", "--as", "clerk.police")
    admin = onething("case", "release", newborn, "register_birth", "--as", "admin", ok=False)
    assert admin.stderr.startswith("error: ") and len(admin.stderr.strip().splitlines()) == 1
    health = onething("case", "claim", newborn, "register_birth", "--as", "clerk.health", ok=False)
    assert health.stderr.startswith("error: ") and "register_birth" in health.stderr


def test_a_message_moves_the_case_on_and_is_logged(onething, ctx, newborn):
    before = cases.get_case(ctx, newborn)
    assert "hukou_registered" in before.waiting_messages
    sent = onething("case", "message", newborn, "hukou_registered", "--as", "clerk.police", "--data", '{"ok": true}')
    assert sent.output.startswith(f"message hukou_registered delivered to case {newborn}")
    after = cases.get_case(ctx, newborn)
    assert "hukou_registered" not in after.waiting_messages and after.version > before.version
    again = onething("case", "message", newborn, "hukou_registered", "--as", "clerk.police", ok=False)
    assert "not waiting for message 'hukou_registered'" in again.stderr
    bad = onething("case", "message", newborn, "hukou_registered", "--as", "clerk.police", "--data", "[1]", ok=False)
    assert bad.exit_code == 2 and "must be a JSON object" in bad.stderr


def test_a_department_outside_the_matter_may_not_deliver_its_message(onething, ctx, newborn):
    refused = onething("case", "message", newborn, "hukou_registered", "--as", "clerk.street_office", ok=False)
    assert "may not deliver message 'hukou_registered'" in refused.stderr
    assert "hukou_registered" in cases.get_case(ctx, newborn).waiting_messages


def test_cancel_ends_the_case_with_its_reason_and_only_once(onething, ctx, newborn):
    designer = onething("case", "cancel", newborn, "--as", "designer.police", "--reason", "x", ok=False)
    assert designer.stderr == f"error: no case {newborn!r}\n"  # staff outside a case: as if it did not exist
    auditor = onething("case", "cancel", newborn, "--as", "auditor", "--reason", "x", ok=False)
    assert "may not act on cases of matter 'newborn'" in auditor.stderr  # reads the case, may not change it
    done = onething("case", "cancel", newborn, "--as", "clerk.police", "--reason", "applied twice")
    assert done.output.strip() == f"case {newborn} cancelled"
    shown = json.loads(onething("case", "show", newborn, "--json").output)
    assert shown["case"]["status"] == "cancelled" and shown["case"]["ready_steps"] == []
    assert any(entry["event"] == "cancelled" for entry in shown["log"])
    again = onething("case", "cancel", newborn, "--as", "clerk.police", ok=False)
    assert again.stderr.startswith("error: ")


def test_completing_with_an_old_version_is_refused(onething, ctx, newborn):
    with ctx.read() as session:
        model, matter = catalog.loaded_version(ctx, session, catalog.current_version(session, "newborn", "after").id)
    data = json.dumps(step_data(model, matter, "register_birth", None), ensure_ascii=False)
    version = cases.get_case(ctx, newborn).version
    onething("case", "message", newborn, "hukou_registered", "--as", "clerk.police")  # the case moves on
    stale = onething("case", "complete", newborn, "register_birth", "--as", "clerk.police", "--data", data,
                     "--expect-version", str(version), ok=False)
    assert stale.stderr.startswith("error: ") and "changed" in stale.stderr
    current = str(cases.get_case(ctx, newborn).version)
    done = onething("case", "complete", newborn, "register_birth", "--as", "clerk.police", "--data", data,
                    "--expect-version", current)
    assert done.output.startswith(f"completed register_birth of case {newborn}")


def test_an_empty_worklist_says_so(onething):
    assert onething("case", "steps").output.strip() == "no ready steps"
