"""The province's library of reforms (issue #13 item 2): publish, adopt, local adjustments in the adopter's own
version line, the diff against the shared original, taking a newer publication, and who may (SQLite and
PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.accounts.users import Actor
from engine.catalog import designer, drafts, history
from engine.catalog.designlog import design_log
from engine.catalog.versions import current_version, deploy_path
from engine.errors import Conflict, InputError, MatterNotFound, NotAllowed
from engine.regions.adoption import adoption_states
from engine.regions.library import adopt_reform, library_entries, publish_reform, reform_updates
from engine.regions.reformdiff import reform_diff
from engine.regions.tree import add_region

NEWBORN = Path(__file__).resolve().parents[2] / "processes" / "newborn"
AFTER = (NEWBORN / "after.bpmn").read_bytes()
MATTER = (NEWBORN / "matter.yaml").read_bytes()
# Yiwu's reform: the joint application is filled online
YIWU_AFTER = AFTER.replace("在医院窗口填报出生一件事联办申请表".encode(), "在线填报出生一件事联办申请表".encode())
YIWU_SECOND = YIWU_AFTER.replace("制作社会保障卡".encode(), "即时制作社会保障卡".encode())
ADMIN = Actor("admin", "admin")


def designer_of(region: str, department: str = "service_center") -> Actor:
    return Actor(f"designer.{region}", "designer", department, region)


def local_edit(bpmn: bytes) -> bytes:
    """A local step (a check at the service centre before the end) and a longer time limit for the delivery."""
    step = ('<bpmn:manualTask id="local_check" name="本地复核"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="name_en" value="Local check" /></spiffworkflow:properties>'
            '</bpmn:extensionElements>'
            '<bpmn:incoming>Flow_deliver_results_end</bpmn:incoming>'
            '<bpmn:outgoing>Flow_local_check_end</bpmn:outgoing></bpmn:manualTask>'
            '<bpmn:sequenceFlow id="Flow_local_check_end" sourceRef="local_check" targetRef="end" />')
    edited = (bpmn.replace(b"<bpmn:flowNodeRef>deliver_results</bpmn:flowNodeRef>",
                           b"<bpmn:flowNodeRef>deliver_results</bpmn:flowNodeRef>"
                           b"<bpmn:flowNodeRef>local_check</bpmn:flowNodeRef>")
              .replace(b'sourceRef="deliver_results" targetRef="end"', b'sourceRef="deliver_results" '
                                                                      b'targetRef="local_check"')
              .replace(b'<bpmn:incoming>Flow_deliver_results_end</bpmn:incoming>\n    </bpmn:endEvent>',
                       b'<bpmn:incoming>Flow_local_check_end</bpmn:incoming>\n    </bpmn:endEvent>')
              .replace(b'<spiffworkflow:property name="time_limit" value="2" />',
                       b'<spiffworkflow:property name="time_limit" value="3" />')
              .replace(b'<bpmn:endEvent id="end"', step.encode() + b'<bpmn:endEvent id="end"'))
    assert edited.count(b"local_check") == 7 and b'value="3"' in edited
    return edited


LOCAL_MATTER = MATTER.replace("{zh: 公安局, en: Public Security Bureau (police station)}".encode(),
                              "{zh: 浦江县公安局, en: Pujiang County Police}".encode())


@pytest.fixture
def province(ctx):
    """newborn deployed province-wide; Jinhua with the counties Yiwu and Pujiang, Hangzhou with Xiaoshan."""
    deploy_path(ctx, NEWBORN)
    add_region(ctx, "jinhua", "province", "金华市", "Jinhua")
    add_region(ctx, "hangzhou", "province", "杭州市", "Hangzhou")
    for county, city, zh, en in (("yiwu", "jinhua", "义乌市", "Yiwu"), ("pujiang", "jinhua", "浦江县", "Pujiang"),
                                 ("xiaoshan", "hangzhou", "萧山区", "Xiaoshan")):
        add_region(ctx, county, city, zh, en)
    return ctx


def _yiwu_publishes(ctx, bpmn: bytes = YIWU_AFTER) -> None:
    designer.deploy_upload(ctx, bpmn, "after.bpmn", None, "newborn", "after", designer_of("yiwu"))
    assert publish_reform(ctx, "newborn", "yiwu", designer_of("yiwu")).status == "published"


def test_a_designer_deploys_into_their_own_regions_line_and_reads_what_it_inherits(province):
    ctx = province
    yiwu = designer_of("yiwu")
    done = designer.deploy_upload(ctx, YIWU_AFTER, "after.bpmn", None, "newborn", "after", yiwu)
    assert (done.version, done.status) == (1, "new")  # the first version of Yiwu's own line
    with ctx.read() as session:
        assert current_version(session, "newborn", "after", "yiwu").region == "yiwu"
        assert current_version(session, "newborn", "after", "pujiang").region == "province"  # inherited
        assert current_version(session, "newborn", "after").version == 1  # the province's line is untouched
    assert design_log(ctx, "newborn")[0].region == "yiwu"
    seen = history.list_versions(ctx, "newborn", region="yiwu")
    assert {(v.variant, v.region, v.current) for v in seen} == {("after", "yiwu", True), ("before", "province", True)}
    assert all(v.region == "province" for v in history.list_versions(ctx, "newborn", region="province"))
    # a designer of Xiaoshan can neither deploy into Yiwu's line nor restore a Yiwu version
    with pytest.raises(NotAllowed, match="region 'yiwu'"):
        designer.deploy_upload(ctx, AFTER, "after.bpmn", None, "newborn", "after", designer_of("xiaoshan"),
                               region="yiwu")
    yiwu_v1 = next(v.id for v in seen if v.region == "yiwu")
    with pytest.raises(NotAllowed, match="region 'yiwu'"):
        history.restore_version(ctx, yiwu_v1, designer_of("xiaoshan"))
    # drafts live in the designer's line: Yiwu's draft is not the province's
    drafts.save_draft(ctx, "newborn", "after", AFTER, None, yiwu)
    assert [d.region for d in drafts.list_drafts(ctx, region="yiwu")] == ["yiwu"]
    assert drafts.find_draft(ctx, "newborn", "after") is None  # the province's line has none
    assert drafts.deploy_draft(ctx, "newborn", "after", yiwu).version == 2
    assert drafts.list_drafts(ctx) == []
    # an admin acts on the province's line unless they pick a region
    assert designer.deploy_upload(ctx, YIWU_SECOND, "after.bpmn", None, "newborn", "after", ADMIN,
                                  region="pujiang").version == 1


def test_publish_adopt_adjust_diff_and_take_the_newer_reform(province):
    ctx = province
    assert adoption_states(ctx, "newborn") == {"province": "own", "jinhua": "before", "hangzhou": "before",
                                               "yiwu": "before", "pujiang": "before", "xiaoshan": "before"}
    with pytest.raises(InputError, match="no after version of its own .* runs version 1 of region 'province'"):
        publish_reform(ctx, "newborn", "yiwu", designer_of("yiwu"))
    _yiwu_publishes(ctx)
    again = publish_reform(ctx, "newborn", "yiwu", ADMIN, note="same")
    assert (again.status, again.number) == ("unchanged", 1)
    pujiang = designer_of("pujiang")
    adopted = adopt_reform(ctx, "newborn", "yiwu", "pujiang", pujiang)
    assert (adopted.number, adopted.version, adopted.status, adopted.replaced_local_changes) == (1, 1, "new", False)
    assert design_log(ctx, "newborn")[0].source == "adopt"
    states = adoption_states(ctx, "newborn")
    assert (states["yiwu"], states["pujiang"], states["xiaoshan"]) == ("published", "adopted", "before")
    with pytest.raises(Conflict, match="already runs reform 1 of 'yiwu'"):
        adopt_reform(ctx, "newborn", "yiwu", "pujiang", pujiang)
    assert reform_diff(ctx, "newborn", "pujiang").unchanged
    # the local adjustment: a step added, a department renamed, a time limit changed
    designer.deploy_upload(ctx, local_edit(YIWU_AFTER), "after.bpmn", LOCAL_MATTER, "newborn", "after", pujiang)
    assert adoption_states(ctx, "newborn")["pujiang"] == "adopted_changed"
    diff = reform_diff(ctx, "newborn", "pujiang")
    assert (diff.from_region, diff.number, diff.shared_version, diff.local_version) == ("yiwu", 1, 1, 2)
    assert [(i.kind, i.key, i.local) for i in diff.steps] == [("added", "local_check", "本地复核")]
    assert [(i.kind, i.key, i.shared, i.local) for i in diff.departments] == [
        ("renamed", "police", "公安局 / Public Security Bureau (police station)",
         "浦江县公安局 / Pujiang County Police")]
    assert [(i.kind, i.key, i.shared, i.local) for i in diff.time_limits] == [("changed", "deliver_results", "2", "3")]
    assert diff.metrics["comparison"]["steps"]["change"] == 1
    assert diff.metrics["shared"]["steps"] + 1 == diff.metrics["local"]["steps"]
    assert {(c.kind, c.what) for c in diff.changes} >= {("added", "step"), ("changed", "annotation")}
    # Yiwu publishes a newer reform: Pujiang sees it, and taking it replaces the local version (not merged)
    assert [(u.matter_id, u.newer) for u in reform_updates(ctx, "pujiang")] == [("newborn", False)]
    _yiwu_publishes(ctx, YIWU_SECOND)
    update = reform_updates(ctx, "pujiang")[0]
    assert (update.from_region, update.adopted_number, update.newest_number, update.newer, update.state) == (
        "yiwu", 1, 2, True, "adopted_changed")
    assert "not merged" in (update.advice or "")
    taken = adopt_reform(ctx, "newborn", "yiwu", "pujiang", ADMIN)
    assert (taken.number, taken.version, taken.replaced_local_changes) == (2, 3, True)
    assert reform_updates(ctx, "pujiang")[0].newer is False
    assert adoption_states(ctx, "newborn")["pujiang"] == "adopted"
    entries = library_entries(ctx, "newborn")
    assert [(e.publication.number, e.newest, [(a.region, a.state) for a in e.adopters]) for e in entries] == [
        (2, True, [("pujiang", "adopted")]), (1, False, [])]
    assert (entries[0].publication.region, entries[0].publication.published_by) == ("yiwu", "designer.yiwu")


def test_bad_input_is_refused_with_what_and_where(province):
    ctx = province
    with pytest.raises(InputError, match="no region 'nowhere'"):
        publish_reform(ctx, "newborn", "nowhere")
    with pytest.raises(MatterNotFound, match="no deployed matter 'unicorn'"):
        publish_reform(ctx, "unicorn", "yiwu")
    with pytest.raises(InputError, match="'xiaoshan' has published no reform of matter 'newborn'"):
        adopt_reform(ctx, "newborn", "xiaoshan", "pujiang")
    _yiwu_publishes(ctx)
    with pytest.raises(InputError, match="published this reform itself"):
        adopt_reform(ctx, "newborn", "yiwu", "yiwu")
    with pytest.raises(InputError, match="no region 'nowhere'"):
        adopt_reform(ctx, "newborn", "yiwu", "nowhere")
    with pytest.raises(InputError, match="has adopted no published reform"):
        reform_diff(ctx, "newborn", "yiwu")
    # a designer of another county may neither publish for Yiwu nor adopt into Pujiang
    with pytest.raises(NotAllowed, match="may not publish a reform for region 'yiwu'"):
        publish_reform(ctx, "newborn", "yiwu", designer_of("xiaoshan"))
    with pytest.raises(NotAllowed, match="may not adopt a reform for region 'pujiang'"):
        adopt_reform(ctx, "newborn", "yiwu", "pujiang", designer_of("xiaoshan"))
    with pytest.raises(NotAllowed):
        publish_reform(ctx, "newborn", "yiwu", Actor("auditor", "auditor"))
    with pytest.raises(NotAllowed, match="not a designer of a department of matter 'newborn'"):
        publish_reform(ctx, "newborn", "yiwu", designer_of("yiwu", "tax"))  # their region, not their matter
    # publishing what a region inherits: Pujiang adopted nothing yet and has no own line
    with pytest.raises(InputError, match="runs version 1 of region 'province'"):
        publish_reform(ctx, "newborn", "pujiang", designer_of("pujiang"))


def test_an_adopter_stays_adopted_when_the_publisher_rolls_back_to_the_published_content(province):
    """A rollback retires the older row's content hash: the adoption state compares content, not hashes."""
    ctx = province
    _yiwu_publishes(ctx)
    adopt_reform(ctx, "newborn", "yiwu", "pujiang")
    yiwu = designer_of("yiwu")
    designer.deploy_upload(ctx, YIWU_SECOND, "after.bpmn", None, "newborn", "after", yiwu)
    assert designer.deploy_upload(ctx, YIWU_AFTER, "after.bpmn", None, "newborn", "after", yiwu).status == "restored"
    assert adoption_states(ctx, "newborn")["pujiang"] == "adopted"
    assert reform_diff(ctx, "newborn", "pujiang").unchanged
