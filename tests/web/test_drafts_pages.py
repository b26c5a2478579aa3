"""The modeler's drafts through the API and the pages (issue #12 items 5 and 6): save, resume, discard, deploy,
simulate, the design log, and who may."""
from __future__ import annotations

import io
import re
from html import unescape

from engine.catalog.history import list_versions
from tests.web.conftest import REPO

AFTER = (REPO / "processes/newborn/after.bpmn").read_bytes()
RENAMED = AFTER.replace("在医院窗口填报出生一件事联办申请表".encode(), "在医院窗口在线填报联办申请表".encode())
YAML = (REPO / "processes/newborn/matter.yaml").read_bytes()


def _files(bpmn: bytes, matter_yaml: bytes | None = None, **fields: str) -> dict:
    data: dict = {"bpmn": (io.BytesIO(bpmn), "newborn-after.bpmn"), **fields}
    if matter_yaml is not None:
        data["matter_yaml"] = (io.BytesIO(matter_yaml), "matter.yaml")
    return data


def test_a_saved_draft_is_resumed_listed_deployed_and_logged(client, login, ctx):
    token = login("designer.police")
    headers = {"X-CSRF-Token": token, "Accept-Language": "en"}
    saved = client.put("/api/drafts/newborn/after", data=_files(RENAMED, YAML), content_type="multipart/form-data",
                       headers=headers)
    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["author"], saved.get_json()["revision"]) == ("designer.police", 1)
    assert client.get("/api/drafts/newborn/after/bpmn").data == RENAMED
    page = client.get("/designer/model?matter_id=newborn&variant=after", headers=headers).get_data(as_text=True)
    assert 'data-xml-url="/api/drafts/newborn/after/bpmn"' in page  # the draft is resumed...
    assert "Resumed the draft saved by designer.police" in page  # ...and the page says so
    held = re.search(r'<textarea id="matter-yaml" hidden>\n(.*?)</textarea>', page, re.S)
    assert held and unescape(held[1]) == YAML.decode()  # the text the matter editor keeps and a save sends
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    offered = client.get(f"/designer/model?version={version.id}", headers=headers).get_data(as_text=True)
    assert f'data-xml-url="/designer/versions/{version.id}/bpmn"' in offered and "Open the draft" in offered
    models = client.get("/designer/", headers=headers).get_data(as_text=True)
    assert 'href="/designer/model?matter_id=newborn&amp;variant=after"' in models
    deployed = client.post("/api/drafts/newborn/after/deploy", json={}, headers=headers)
    assert deployed.status_code == 201 and deployed.get_json()["version"] == version.version + 1, deployed.get_json()
    assert client.get("/api/drafts").get_json() == []
    log = client.get("/api/design-log?matter=newborn&limit=2").get_json()
    assert [(e["action"], e["actor"], e["source"], e["version"]) for e in log] == [
        ("deploy", "designer.police", "draft", version.version + 1), ("save", "designer.police", None, None)]
    models = client.get("/designer/", headers=headers).get_data(as_text=True)
    assert "deployed a draft" in models and "saved a draft" in models and "designer.police" in models
    fresh = client.get("/designer/model?matter_id=newborn&variant=after").get_data(as_text=True)
    current = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    assert current.version == version.version + 1 and current.deployed_by == "designer.police"
    assert f'data-xml-url="/designer/versions/{current.id}/bpmn"' in fresh and "Resumed the draft" not in fresh
    assert "draft-offered" not in fresh
    new = client.get("/designer/model?matter_id=not_yet&variant=after").get_data(as_text=True)
    assert 'data-xml-url=""' in new and re.search(r'<textarea id="matter-yaml" hidden>\n</textarea>', new)


def test_a_draft_with_problems_is_refused_with_them_and_can_be_discarded(client, login):
    token = login("designer.police")
    headers = {"X-CSRF-Token": token, "Accept-Language": "en"}
    broken = AFTER.replace(b'value="fixed 1h"', b'value="sometimes"')
    assert client.put("/api/drafts/newborn/after", data=_files(broken), content_type="multipart/form-data",
                      headers=headers).status_code == 200
    refused = client.post("/api/drafts/newborn/after/deploy", json={}, headers=headers)
    error = refused.get_json()["error"]
    assert refused.status_code == 422 and error["code"] == "invalid_model"
    assert any(p["element_id"] == "submit_joint_application" for p in error["problems"]), error
    assert client.delete("/api/drafts/newborn/after", headers=headers).status_code == 204
    assert client.delete("/api/drafts/newborn/after", headers=headers).status_code == 404
    assert client.get("/api/drafts/newborn/after/bpmn").status_code == 404
    no_csrf = client.put("/api/drafts/newborn/after", data=_files(AFTER), content_type="multipart/form-data")
    assert no_csrf.status_code == 403


def test_designers_of_other_departments_and_other_roles_are_refused(client, login, ctx):
    from engine.accounts import users

    users.add_user(ctx, "designer.tax", "test-password-1", "designer", "tax")
    token = login("designer.tax")
    refused = client.put("/api/drafts/newborn/after", data=_files(RENAMED), content_type="multipart/form-data",
                         headers={"X-CSRF-Token": token, "Accept-Language": "en"})
    assert refused.status_code == 403
    message = refused.get_json()["error"]["message"]
    assert "designer.tax is not a designer of a department of matter 'newborn'" in message
    assert client.get("/api/design-log").get_json() == [e for e in client.get("/api/design-log").get_json()
                                                        if e["action"] == "deploy"]  # the refusal saved nothing
    token = login("clerk.police")
    assert client.get("/api/drafts").status_code == 403
    assert client.put("/api/drafts/newborn/after", data=_files(RENAMED), content_type="multipart/form-data",
                      headers={"X-CSRF-Token": token}).status_code == 403


def test_simulating_a_drawn_model_forecasts_it_beside_the_deployed_version(client, login):
    token = login("designer.police")
    headers = {"X-CSRF-Token": token, "Accept-Language": "en"}
    answer = client.post("/api/drafts/simulate", data=_files(RENAMED, matter_id="newborn", variant="after",
                                                             cases="10"),
                         content_type="multipart/form-data", headers=headers)
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert [(r["label"], r["variant"]) for r in body["runs"]] == [("deployed", "after"), ("draft", "after")]
    assert all(r["cases"] == 10 and r["median_workdays"] is not None for r in body["runs"])
    bad = client.post("/api/drafts/simulate", data=_files(AFTER.replace(b'value="fixed 1h"', b'value="sometimes"'),
                                                          matter_id="newborn", variant="after"),
                      content_type="multipart/form-data", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["problems"]
    many = client.post("/api/drafts/simulate", data=_files(AFTER, matter_id="newborn", variant="after", cases="999"),
                       content_type="multipart/form-data", headers=headers)
    assert many.status_code == 422 and "cases" in many.get_json()["error"]["fields"]
    assert client.get("/api/drafts").get_json() == []  # simulating stores nothing
