"""The library of reforms in the browser's pages (issue #13 item 2): publish from the version page, adopt from the
library, a newer publication offered as "take it", and the diff page side by side, in both languages (Flask's test
client on real SQLite; a designer of one county acts only for their own)."""
from __future__ import annotations

import pytest

from engine.accounts import users
from engine.catalog import designer, history
from engine.regions.library import publish_reform
from engine.regions.tree import add_region
from tests.engine.test_reform_library import LOCAL_MATTER, YIWU_AFTER, YIWU_SECOND, local_edit
from tests.web.conftest import PASSWORD, sign_in


@pytest.fixture
def counties(ctx):
    add_region(ctx, "jinhua", "province", "金华市", "Jinhua")
    for county, zh, en in (("yiwu", "义乌市", "Yiwu"), ("pujiang", "浦江县", "Pujiang")):
        add_region(ctx, county, "jinhua", zh, en)
        users.add_user(ctx, f"designer.{county}", PASSWORD, "designer", "service_center", region=county)
    return ctx


def _signed_in(app, username: str, lang: str = "en"):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    with client.session_transaction() as session:
        session["lang"] = lang
        return client, session["csrf"]


def test_publish_adopt_take_newer_and_diff_through_the_pages(app, counties):
    ctx = counties
    yiwu, yiwu_token = _signed_in(app, "designer.yiwu")
    pujiang, pujiang_token = _signed_in(app, "designer.pujiang")
    done = designer.deploy_upload(ctx, YIWU_AFTER, "after.bpmn", None, "newborn", "after",
                                  users.Actor("designer.yiwu", "designer", "service_center", "yiwu"))
    version_id = next(v.id for v in history.list_versions(ctx, "newborn", region="yiwu")
                      if v.region == "yiwu" and v.version == done.version)
    page = yiwu.get(f"/designer/versions/{version_id}").get_data(as_text=True)
    assert "Publish to the library of reforms" in page
    assert "Publish to the library" not in pujiang.get(f"/designer/versions/{version_id}").get_data(as_text=True)
    refused = pujiang.post("/library/publish", data={"matter_id": "newborn", "region": "yiwu",
                                                     "csrf_token": pujiang_token})
    assert refused.status_code == 403 and "only its own designers and admins may" in refused.get_data(as_text=True)
    published = yiwu.post("/library/publish", data={"matter_id": "newborn", "region": "yiwu", "note": "online form",
                                                    "csrf_token": yiwu_token})
    assert published.status_code == 303
    assert "Published as reform 1 of Newborn birth." in yiwu.get("/library/").get_data(as_text=True)
    library = pujiang.get("/library/").get_data(as_text=True)
    assert "Yiwu" in library and "online form" in library and ">Adopt</button>" in library
    adopted = pujiang.post("/library/adopt", data={"matter_id": "newborn", "from": "yiwu",
                                                   "csrf_token": pujiang_token})
    assert adopted.status_code == 303 and "/library/diff/newborn?region=pujiang" in adopted.headers["Location"]
    designer.deploy_upload(ctx, local_edit(YIWU_AFTER), "after.bpmn", LOCAL_MATTER, "newborn", "after",
                           users.Actor("designer.pujiang", "designer", "service_center", "pujiang"))
    diff = pujiang.get("/library/diff/newborn?region=pujiang").get_data(as_text=True)
    for shown in ("Pujiang against the shared original", "local_check", "本地复核", "Pujiang County Police",
                  "deliver_results", "Shared original", "Local version", "Time limit (working days)"):
        assert shown in diff, shown
    zh, _ = _signed_in(app, "auditor", "zh")
    diff_zh = zh.get("/library/diff/newborn?region=pujiang").get_data(as_text=True)
    # the regions' and metrics' names in Chinese (the new messages' Chinese is in /tmp/move/strings-lib.json until
    # the merge compiles it into the catalogue)
    assert "浦江县" in diff_zh and "义乌市" in diff_zh and "承诺时限（工作日）" in diff_zh and "环节数" in diff_zh
    assert "浦江县" in zh.get("/library/").get_data(as_text=True)
    # a newer publication: the adopter is offered to take it, and taking it works
    designer.deploy_upload(ctx, YIWU_SECOND, "after.bpmn", None, "newborn", "after",
                           users.Actor("designer.yiwu", "designer", "service_center", "yiwu"))
    publish_reform(ctx, "newborn", "yiwu")
    offered = pujiang.get("/library/").get_data(as_text=True)
    assert "A newer version is published (reform 2)." in offered and "they are not merged" in offered
    taken = pujiang.post("/library/adopt", data={"matter_id": "newborn", "from": "yiwu", "csrf_token": pujiang_token})
    assert taken.status_code == 303
    after = pujiang.get("/library/").get_data(as_text=True)
    assert "A newer version is published" not in after and "adopted as published" in after
    missing = pujiang.get("/library/diff/newborn?region=yiwu")
    assert missing.status_code == 422 and "has adopted no published reform" in missing.get_data(as_text=True)
