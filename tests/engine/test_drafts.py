"""Drafts of the modeler and the design log (issue #12 items 5 and 6): save, open, discard, deploy, who may,
and nothing of a draft reaching cases, figures or versions before it is deployed (SQLite and PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.accounts.users import Actor
from engine.audit.comparison import matter_comparison
from engine.audit.forecast import forecast_draft, quantile
from engine.catalog import designer, drafts, history
from engine.catalog.designlog import design_log
from engine.catalog.versions import deploy_path
from engine.citizen import applications as citizen
from engine.errors import InputError, ModelError, NotAllowed, NotFound
from engine.matters.forms import example_data
from engine.regions.tree import add_region
from engine.store.db import Base
from engine.store.tables import ModelVersion

NEWBORN = Path(__file__).resolve().parents[2] / "processes" / "newborn"
AFTER = (NEWBORN / "after.bpmn").read_bytes()
RENAMED = AFTER.replace("在医院窗口填报出生一件事联办申请表".encode(), "在医院窗口在线填报联办申请表".encode())
POLICE = Actor("designer.police", "designer", "police")
TAX = Actor("designer.tax", "designer", "tax")
ADMIN = Actor("admin", "admin")


@pytest.fixture
def newborn(ctx):
    return deploy_path(ctx, NEWBORN)


def _counts(ctx) -> dict[str, int]:
    """Rows of every table but the drafts' own."""
    with ctx.read() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
                if t.name not in ("drafts", "design_log")}


def test_a_draft_is_saved_opened_replaced_and_discarded_with_every_step_logged(ctx, newborn, clock):
    saved = drafts.save_draft(ctx, "newborn", "after", RENAMED, None, POLICE)
    assert (saved.author, saved.revision, saved.has_matter_yaml) == ("designer.police", 1, False)
    assert saved.saved_at == clock.now()
    assert drafts.get_draft(ctx, "newborn", "after").bpmn == RENAMED
    assert drafts.find_draft(ctx, "newborn", "before") is None
    yaml_text = (NEWBORN / "matter.yaml").read_bytes()
    again = drafts.save_draft(ctx, "newborn", "after", AFTER, yaml_text, ADMIN)  # one draft per matter variant
    assert (again.author, again.revision, again.has_matter_yaml) == ("admin", 2, True)
    assert [(d.matter_id, d.variant, d.author) for d in drafts.list_drafts(ctx)] == [("newborn", "after", "admin")]
    assert drafts.get_draft(ctx, "newborn", "after").matter_yaml == yaml_text.decode()
    drafts.discard_draft(ctx, "newborn", "after", POLICE)
    assert drafts.list_drafts(ctx) == []
    with pytest.raises(NotFound, match="no draft of newborn after"):
        drafts.discard_draft(ctx, "newborn", "after", POLICE)
    log = [(e.action, e.actor, e.variant) for e in design_log(ctx, "newborn")]
    assert log[:3] == [("discard", "designer.police", "after"), ("save", "admin", "after"),
                       ("save", "designer.police", "after")]
    assert {e[0] for e in log[3:]} == {"deploy"}  # deploy_path's versions, by the command line
    assert all(e.actor is None and e.source == "files" for e in design_log(ctx)[3:])


def test_nothing_of_a_draft_reaches_cases_figures_or_versions(ctx, newborn):
    before_counts = _counts(ctx)
    figures = matter_comparison(ctx, "newborn")
    drafts.save_draft(ctx, "newborn", "after", RENAMED.replace(b'value="fixed 1h"', b'value="fixed 9h"'), None, POLICE)
    forecast = forecast_draft(ctx, RENAMED, None, "newborn", "after", cases=5)
    assert [r.label for r in forecast.runs] == ["deployed", "draft"]
    assert _counts(ctx) == before_counts  # the forecast's cases lived in its own scratch database
    assert matter_comparison(ctx, "newborn") == figures
    assert [v.version for v in history.list_versions(ctx, "newborn")] == [1, 1]
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), "13800008000")
    with ctx.read() as session:
        deployed = session.scalar(select(ModelVersion.bpmn).where(ModelVersion.variant == "after"))
    assert deployed == AFTER and number  # a new case runs the deployed model, not the draft


def test_deploying_a_draft_makes_a_version_removes_the_draft_and_logs_who(ctx, newborn):
    drafts.save_draft(ctx, "newborn", "after", RENAMED, None, POLICE)
    deployed = drafts.deploy_draft(ctx, "newborn", "after", POLICE)
    assert (deployed.status, deployed.version, deployed.filename) == ("new", 2, "newborn/after.bpmn")
    assert drafts.list_drafts(ctx) == []
    current = next(v for v in history.list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    assert (current.version, current.deployed_by) == (2, "designer.police")
    top = design_log(ctx)[0]
    assert (top.action, top.actor, top.version, top.status, top.source) == ("deploy", "designer.police", 2, "new",
                                                                           "draft")
    with pytest.raises(NotFound):
        drafts.deploy_draft(ctx, "newborn", "after", POLICE)


def test_a_draft_with_problems_is_not_deployed_and_says_which(ctx, newborn):
    broken = AFTER.replace(b'value="fixed 1h"', b'value="sometimes"')
    drafts.save_draft(ctx, "newborn", "after", broken, None, POLICE)  # work in progress may be wrong
    with pytest.raises(ModelError) as refused:
        drafts.deploy_draft(ctx, "newborn", "after", POLICE)
    assert any(p.element_id == "submit_joint_application" for p in refused.value.problems), refused.value.problems
    assert drafts.find_draft(ctx, "newborn", "after") is not None
    assert [e.action for e in design_log(ctx, "newborn")][0] == "save"


def test_only_the_matters_designers_and_admins_change_its_drafts(ctx, newborn):
    for act in (lambda who: drafts.save_draft(ctx, "newborn", "after", RENAMED, None, who),
                lambda who: drafts.discard_draft(ctx, "newborn", "after", who),
                lambda who: drafts.deploy_draft(ctx, "newborn", "after", who)):
        drafts.save_draft(ctx, "newborn", "after", RENAMED, None, POLICE)
        with pytest.raises(NotAllowed, match="designer.tax is not a designer of a department of matter 'newborn'"):
            act(TAX)
        with pytest.raises(NotAllowed):
            act(Actor("clerk.police", "clerk", "police"))
    # a matter.yaml naming the tax office does not open the deployed matter to its designer
    taxed = (NEWBORN / "matter.yaml").read_bytes().replace(b"  - id: police\n", b"  - id: tax\n")
    with pytest.raises(NotAllowed):
        drafts.save_draft(ctx, "newborn", "after", RENAMED, taxed, TAX)
    assert drafts.get_draft(ctx, "newborn", "after").info.author == "designer.police"
    drafts.discard_draft(ctx, "newborn", "after", ADMIN)
    with pytest.raises(InputError, match="its draft needs a matter.yaml that names your department"):
        drafts.save_draft(ctx, "brand_new", "after", AFTER, None, POLICE)
    assert drafts.save_draft(ctx, "brand_new", "after", AFTER, None, ADMIN).revision == 1


def test_bad_drafts_get_clear_errors(ctx, newborn):
    with pytest.raises(InputError, match="unknown variant 'during'"):
        drafts.save_draft(ctx, "newborn", "during", AFTER, None, POLICE)
    with pytest.raises(InputError, match="invalid matter id 'New Born'"):
        drafts.save_draft(ctx, "New Born", "after", AFTER, None, POLICE)
    with pytest.raises(ModelError, match="after.bpmn:1: -: not well-formed XML"):
        drafts.save_draft(ctx, "newborn", "after", b"<bpmn:definitions", None, POLICE)
    with pytest.raises(InputError, match="not UTF-8"):
        drafts.save_draft(ctx, "newborn", "after", AFTER, b"\xff\xfe", POLICE)


def test_uploads_and_restores_are_logged_with_who(ctx, newborn):
    marked = AFTER.replace(b"</bpmn:definitions>", b"<!-- v2 --></bpmn:definitions>")
    designer.deploy_upload(ctx, marked, "after.bpmn", None, "newborn", "after", POLICE)
    first = next(v for v in history.list_versions(ctx, "newborn") if v.variant == "after" and v.version == 1)
    history.restore_version(ctx, first.id, ADMIN)
    log = [(e.action, e.actor, e.version, e.status, e.source) for e in design_log(ctx, "newborn", limit=2)]
    assert log == [("deploy", "admin", 3, "restored", "restore"), ("deploy", "designer.police", 2, "new", "upload")]


def test_a_forecast_simulates_the_draft_beside_the_deployed_variant(ctx, newborn):
    slower = AFTER.replace(b'value="fixed 1h"', b'value="fixed 40h"')
    forecast = forecast_draft(ctx, slower, None, "newborn", "after", cases=20, seed=3)
    deployed, draft = forecast.runs
    assert (deployed.label, deployed.variant, deployed.version, draft.label) == ("deployed", "after", 1, "draft")
    assert deployed.cases == draft.cases == 20 and draft.completed + draft.stuck == 20
    assert draft.median_workdays is not None and deployed.median_workdays is not None
    assert draft.median_workdays > deployed.median_workdays  # five more working days at the window
    assert draft.steps_per_case == deployed.steps_per_case
    assert forecast_draft(ctx, slower, None, "newborn", "after", cases=20, seed=3).runs == forecast.runs
    with pytest.raises(ModelError) as refused:
        forecast_draft(ctx, AFTER.replace(b'value="fixed 1h"', b'value="sometimes"'), None, "newborn", "after")
    assert refused.value.problems
    with pytest.raises(InputError, match="between 1 and 200"):
        forecast_draft(ctx, AFTER, None, "newborn", "after", cases=0)


def test_quantiles_interpolate_as_the_auditors_figures():
    assert quantile([], 0.5) is None
    assert quantile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert quantile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.1


def test_a_forecast_compares_with_the_version_the_designers_region_runs(ctx, newborn):
    """A county's designer forecasts against the county's own line (or what it inherits), not the province's."""
    add_region(ctx, "city", "province", "甲市", "City")
    add_region(ctx, "county", "city", "甲县", "County")
    county = Actor("designer.police.county", "designer", "police", "county")
    inherited = forecast_draft(ctx, RENAMED, None, "newborn", "after", cases=3, region="county")
    assert inherited.runs[0].version == 1  # the county inherits the province's version 1
    designer.deploy_upload(ctx, AFTER, "after.bpmn", None, "newborn", "after", county)
    designer.deploy_upload(ctx, RENAMED, "after.bpmn", None, "newborn", "after", county)
    own = forecast_draft(ctx, RENAMED, None, "newborn", "after", cases=3, region="county")
    province = forecast_draft(ctx, RENAMED, None, "newborn", "after", cases=3)
    assert (own.runs[0].label, own.runs[0].version) == ("deployed", 2)  # the county's own version 2
    assert (province.runs[0].label, province.runs[0].version) == ("deployed", 1)
