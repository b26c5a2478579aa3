"""A shared matter cannot be taken over by one department's designer; redeploying older content is a rollback."""
from __future__ import annotations

import pytest

from engine.accounts.users import Actor
from engine.catalog import designer, history, versions as catalog
from engine.errors import ModelError, NotYourDepartment
from tests.conftest import NEWBORN_AFTER_PLAIN, PROCESSES, inline_birth_registration

AFTER = (PROCESSES / "newborn" / "after.bpmn").read_bytes()  # for matter newborn: its deployed DMN is used
PLAIN = NEWBORN_AFTER_PLAIN  # for a new matter, which has no deployed DMN (uploads are BPMN only)
HEALTH = Actor("designer.health", "designer", "health")
POLICE = Actor("designer.police", "designer", "police")
ADMIN = Actor("admin", "admin")
POLICE_LANE = '      </bpmn:lane>\n      <bpmn:lane id="police" name="公安局">\n'.encode()
# the police's step drawn in the matter's model again (not called from their shared sub-process), so that removing
# their lane puts it in health's: a takeover
TAKEN = inline_birth_registration(AFTER).replace(POLICE_LANE, b"")


def _current(ctx, variant: str = "after") -> int:
    with ctx.read() as session:
        return catalog.current_version(session, "newborn", variant).version


def _deploy(ctx, bpmn: bytes, actor: Actor, matter_id: str = "newborn", variant: str = "after"):
    return designer.deploy_upload(ctx, bpmn, f"{variant}.bpmn", None, matter_id, variant, actor)


@pytest.fixture
def newborn(ctx):
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    assert POLICE_LANE in AFTER
    return ctx


def test_one_department_may_not_take_a_shared_matter_over(newborn):
    """Health's designer deployed the after variant with the police's steps in their own lane."""
    taken = TAKEN
    with pytest.raises(NotYourDepartment, match="changing the departments of newborn/after .* needs an admin"):
        _deploy(newborn, taken, HEALTH)
    assert _current(newborn) == 1
    assert _deploy(newborn, AFTER + b"\n<!-- same departments -->\n", POLICE).version == 2  # the police still deploy
    assert _deploy(newborn, taken, ADMIN).version == 3  # an admin may change the departments, for all of them


def test_a_designer_keeps_deploying_with_the_same_departments(newborn):
    assert _deploy(newborn, AFTER + b"\n<!-- v2 -->\n", POLICE).version == 2


def test_a_new_matter_may_not_send_work_to_departments_that_never_agreed(newborn):
    matter_yaml = (PROCESSES / "newborn" / "matter.yaml").read_text(encoding="utf-8").replace(
        "id: newborn", "id: newborn_copy").encode()
    with pytest.raises(NotYourDepartment, match="a new matter whose lanes send work to other departments"):
        designer.deploy_upload(newborn, PLAIN, "after.bpmn", matter_yaml, "newborn_copy", "after", HEALTH)
    assert designer.deploy_upload(newborn, PLAIN, "after.bpmn", matter_yaml, "newborn_copy", "after",
                                  ADMIN).status == "new"


def test_deploying_older_content_again_makes_it_current_and_says_so(newborn):
    second = _deploy(newborn, AFTER + b"\n<!-- v2 -->\n", POLICE)
    assert (second.version, second.status) == (2, "new")
    back = _deploy(newborn, AFTER, POLICE)
    assert (back.version, back.status, back.restored) == (3, "restored", 1)
    with newborn.read() as session:
        current = catalog.current_version(session, "newborn", "after")
        assert current.bpmn == AFTER
    again = _deploy(newborn, AFTER, POLICE)
    assert (again.version, again.status) == (3, "unchanged")  # not a new version each time
    forward = _deploy(newborn, AFTER + b"\n<!-- v2 -->\n", POLICE)
    assert (forward.version, forward.status, forward.restored) == (4, "restored", 2)
    assert [v.version for v in history.list_versions(newborn, "newborn") if v.variant == "after"] == [4, 3, 2, 1]


def _refusal(ctx, bpmn: bytes, actor: Actor, matter_yaml: bytes | None, matter_id: str) -> str:
    try:
        designer.deploy_upload(ctx, bpmn, "after.bpmn", matter_yaml, matter_id, "after", actor)
    except (NotYourDepartment, ModelError) as exc:
        return str(exc.problems[0].message) if isinstance(exc, ModelError) else exc.message
    raise AssertionError("deploying was expected to be refused")


@pytest.mark.parametrize("case", ["takeover", "new matter", "unknown lane"])
def test_what_deploying_refuses_checking_the_same_upload_reports_with_the_same_reason(newborn, case):
    matter_yaml = None
    matter_id = "newborn"
    bpmn = AFTER
    if case == "takeover":
        bpmn = TAKEN
    elif case == "new matter":
        matter_yaml = (PROCESSES / "newborn" / "matter.yaml").read_text(encoding="utf-8").replace(
            "id: newborn", "id: newborn_copy").encode()
        matter_id = "newborn_copy"
        bpmn = PLAIN
    else:  # a lane that is no department of the deployed matter.yaml (by id nor name): alone, the model is fine
        bpmn = AFTER.replace('<bpmn:lane id="police" name="公安局"'.encode(),
                             '<bpmn:lane id="tax_bureau" name="税务局"'.encode()).replace(
            b'bpmnElement="police"', b'bpmnElement="tax_bureau"')
        assert designer.check_upload(bpmn, "after.bpmn") != []  # alone, without its deployed DMN, it is not
        assert designer.check_upload(PLAIN.replace('<bpmn:lane id="police" name="公安局"'.encode(),
                                                   '<bpmn:lane id="tax_bureau" name="税务局"'.encode()).replace(
            b'bpmnElement="police"', b'bpmnElement="tax_bureau"'), "after.bpmn") == []
    reason = _refusal(newborn, bpmn, HEALTH, matter_yaml, matter_id)
    problems = designer.check_upload(bpmn, "after.bpmn", matter_yaml, ctx=newborn, matter_id=matter_id,
                                     variant="after", actor=HEALTH)
    assert reason in [p.message for p in problems]
    assert _current(newborn) == 1
    if case != "unknown lane":  # an admin may do it, and checking says so too
        assert designer.check_upload(bpmn, "after.bpmn", matter_yaml, ctx=newborn, matter_id=matter_id,
                                     variant="after", actor=ADMIN) == []


# -- the version history: who deployed, rollback, diff (issue #11 item 19) --------------------------------

RENAMED = AFTER.replace("寄递户口簿、社会保障卡并推送电子证照".encode(), "寄递办理结果（新名）".encode())
MATTER_YAML = (PROCESSES / "newborn" / "matter.yaml").read_text(encoding="utf-8")


def test_each_version_says_who_deployed_it_and_a_rollback_which_version_it_brings_back(newborn):
    _deploy(newborn, RENAMED, POLICE)
    versions = [v for v in history.list_versions(newborn, "newborn") if v.variant == "after"]
    assert [(v.version, v.deployed_by, v.restored_from, v.current) for v in versions] == [
        (2, "designer.police", None, True), (1, None, None, False)]  # version 1 came from `onething deploy`
    first = versions[1].id
    with pytest.raises(NotYourDepartment):
        history.restore_version(newborn, first, Actor("designer.tax", "designer", "tax"))
    restored = history.restore_version(newborn, first, ADMIN)
    assert (restored.status, restored.version, restored.restored) == ("restored", 3, 1)
    current = history.list_versions(newborn, "newborn")[0]
    assert (current.version, current.deployed_by, current.restored_from) == (3, "admin", 1)
    assert history.get_version(newborn, current.id).file.data == AFTER
    assert history.restore_version(newborn, current.id, POLICE).status == "unchanged"


def test_a_diff_names_each_changed_step_form_field_and_flow(newborn):
    from engine.catalog.diff import version_diff

    yaml = MATTER_YAML.replace("max_length: 50, labels: {zh: 新生儿姓名", "max_length: 40, labels: {zh: 新生儿姓名", 1)
    assert yaml != MATTER_YAML
    designer.deploy_upload(newborn, RENAMED, "after.bpmn", yaml.encode(), "newborn", "after", POLICE)
    old, new = [v.id for v in history.list_versions(newborn, "newborn") if v.variant == "after"][::-1]
    diff = version_diff(newborn, old, new)
    assert (diff.old.version, diff.new.version) == (1, 2)
    assert [(c.kind, c.what, c.key) for c in diff.changes] == [
        ("changed", "step", "deliver_results"), ("changed", "field", "birth_certificate_application.child_name")]
    step = diff.changes[0]
    assert "寄递户口簿、社会保障卡并推送电子证照" in step.before and "寄递办理结果（新名）" in step.after
    assert "at most 50 characters" in diff.changes[1].before and "at most 40" in diff.changes[1].after
    assert version_diff(newborn, new, new).changes == ()


def test_before_against_after_is_the_reform_step_by_step(newborn):
    from engine.catalog.diff import version_diff

    ids = {v.variant: v.id for v in history.list_versions(newborn, "newborn")}
    diff = version_diff(newborn, ids["before"], ids["after"])
    counts = diff.counts()
    assert counts["added"] and counts["removed"]
    assert {c.what for c in diff.changes} >= {"step", "flow"}
    assert sum(counts.values()) == len(diff.changes)


def test_a_diff_of_unknown_or_foreign_versions_says_so(newborn):
    from engine.catalog.diff import version_diff
    from engine.errors import InputError, NotFound

    known = history.list_versions(newborn, "newborn")[0].id
    with pytest.raises(NotFound, match="no model version 999"):
        version_diff(newborn, known, 999)
    catalog.deploy_path(newborn, PROCESSES / "business_startup")
    other = history.list_versions(newborn, "business_startup")[0].id
    with pytest.raises(InputError, match="different matters"):
        version_diff(newborn, known, other)
