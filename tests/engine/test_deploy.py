"""Deploying models: content-hashed versions, all-or-nothing, running cases stay on their version."""
from __future__ import annotations

import shutil

import pytest

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.catalog import versions as catalog
from engine.errors import ModelError
from tests.conftest import PROCESSES

from .conftest import MODELS


def test_identical_content_is_a_no_op_and_changes_make_a_new_version(ctx, tmp_path):
    target = tmp_path / "trial"
    target.mkdir()
    shutil.copy(MODELS / "parallel.bpmn", target / "after.bpmn")
    first = catalog.deploy_path(ctx, target / "after.bpmn")
    again = catalog.deploy_path(ctx, target / "after.bpmn")
    assert [(d.version, d.status) for d in first + again] == [(1, "new"), (1, "unchanged")]
    old_case = cases.start_case(ctx, "trial", "after")
    text = (target / "after.bpmn").read_text(encoding="utf-8").replace("提交申请", "提交联办申请")
    (target / "after.bpmn").write_text(text, encoding="utf-8")
    changed = catalog.deploy_path(ctx, target / "after.bpmn")
    assert [(d.version, d.status) for d in changed] == [(2, "new")]
    new_case = cases.start_case(ctx, "trial", "after")
    assert (old_case.model_version, new_case.model_version) == (1, 2)
    assert cases.get_case(ctx, old_case.number).ready_steps[0].step_name == "提交申请"
    assert cases.get_case(ctx, new_case.number).ready_steps[0].step_name == "提交联办申请"
    view = cases.complete_step(ctx, old_case.number, "apply", Actor.applicant(), {"delivery": "hospital", "child": "x"})
    assert view.model_version == 1


def test_one_invalid_file_deploys_nothing(ctx, tmp_path):
    target = tmp_path / "broken"
    target.mkdir()
    shutil.copy(MODELS / "parallel.bpmn", target / "after.bpmn")
    (target / "before.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        catalog.deploy_path(ctx, target)
    assert "before.bpmn:1: -: not well-formed XML" in str(caught.value.problems[0])
    with pytest.raises(Exception, match="no deployed"):
        cases.start_case(ctx, "broken", "after")


def test_the_whole_process_library_deploys_once(ctx):
    first = catalog.deploy_path(ctx, PROCESSES)
    assert len(first) >= 16 and {d.status for d in first} == {"new"}
    assert {d.status for d in catalog.deploy_path(ctx, PROCESSES)} == {"unchanged"}


@pytest.mark.parametrize("version_id", [0, -1, 2**31, 2**63, 10**30])
def test_a_version_id_no_key_can_hold_is_not_found_on_every_database(ctx, deployed, version_id):
    from engine.catalog.history import get_version, list_versions
    from engine.errors import NotFound

    with pytest.raises(NotFound, match=f"no model version {version_id}"):
        get_version(ctx, version_id)
    known = list_versions(ctx, deployed.matter_id)[0].id
    assert get_version(ctx, known).info.id == known
