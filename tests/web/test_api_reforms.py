"""The library of reforms through the JSON API (issue #13 item 2): a county's designer uploads into the county's own
line and publishes it, another county's designer adopts it, changes it locally and reads the diff; whoever is not
the region's designer is refused, and bad input is a clear 4xx, never a 500 (real SQLite, Flask's test client)."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from engine.accounts import users
from engine.context import EngineContext
from engine.regions.tree import add_region
from tests.engine.test_reform_library import LOCAL_MATTER, YIWU_AFTER, local_edit
from tests.web.conftest import deployed_database
from tests.web.test_api import Api
from web.app import create_app, engine_context

PASSWORD = "api-password-1"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    path = deployed_database(tmp_path_factory.mktemp("reforms") / "onething.db",
                             {"admin": ("admin", None), "auditor": ("auditor", None)}, PASSWORD)
    ctx = EngineContext.from_url(f"sqlite:///{path}")  # no app here: a module fixture runs before the test's
    add_region(ctx, "jinhua", "province", "金华市", "Jinhua")  # own instance folder is set (tests/conftest.py)
    for county in ("yiwu", "pujiang"):
        add_region(ctx, county, "jinhua", county, county)
        users.add_user(ctx, county, PASSWORD, "designer", "service_center", region=county)
    ctx.engine.dispose()
    return path


@pytest.fixture
def as_role(template_db, tmp_path):
    db = tmp_path / "onething.db"
    shutil.copy(template_db, db)
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "TESTING": True, "SECRET_KEY": "test"})
    yield lambda role: Api(app, role)
    engine_context(app).engine.dispose()


def _upload(api: Api, bpmn: bytes, matter_yaml: bytes | None = None, **fields: str):
    data = {"matter_id": "newborn", "variant": "after", "bpmn": (io.BytesIO(bpmn), "after.bpmn"), **fields}
    if matter_yaml is not None:
        data["matter_yaml"] = (io.BytesIO(matter_yaml), "matter.yaml")
    return api.call("POST", "/api/models", data=data)


def test_upload_publish_adopt_adjust_and_diff(as_role):
    yiwu, pujiang, auditor = as_role("yiwu"), as_role("pujiang"), as_role("auditor")
    yiwu.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = yiwu.call("POST", "/api/matters/newborn/publish", json={})
    assert refused.status_code == 422 and "no after version of its own" in refused.get_json()["error"]["message"]
    assert _upload(yiwu, YIWU_AFTER).get_json()["version"] == 1  # into Yiwu's own line
    assert _upload(pujiang, YIWU_AFTER, region="yiwu").status_code == 403  # never into another region's line
    assert pujiang.call("POST", "/api/matters/newborn/publish", json={"region": "yiwu"}).status_code == 403
    published = yiwu.call("POST", "/api/matters/newborn/publish", json={"note": "online"})
    assert published.status_code == 200 and published.get_json()["number"] == 1
    assert yiwu.call("POST", "/api/matters/newborn/adopt", json={"from": "yiwu"}).status_code == 422
    assert pujiang.call("POST", "/api/matters/newborn/adopt", json={"from": "nowhere"}).status_code == 422
    assert pujiang.call("POST", "/api/matters/unicorn/adopt", json={"from": "yiwu"}).status_code == 404
    assert pujiang.call("POST", "/api/matters/newborn/adopt", json={}).status_code == 422
    adopted = pujiang.call("POST", "/api/matters/newborn/adopt", json={"from": "yiwu"})
    assert adopted.status_code == 200 and adopted.get_json()["region"] == "pujiang"
    assert pujiang.call("POST", "/api/matters/newborn/adopt", json={"from": "yiwu"}).status_code == 409
    assert _upload(pujiang, local_edit(YIWU_AFTER), LOCAL_MATTER).status_code == 201
    library = auditor.call("GET", "/api/library").get_json()
    assert [(e["publication"]["region"], e["adopters"]) for e in library] == [
        ("yiwu", [{"region": "pujiang", "state": "adopted_changed"}])]
    diff = auditor.call("GET", "/api/matters/newborn/reform-diff?region=pujiang").get_json()
    assert ([i["key"] for i in diff["steps"]], [i["key"] for i in diff["departments"]],
            [i["key"] for i in diff["time_limits"]]) == (["local_check"], ["police"], ["deliver_results"])
    assert auditor.call("GET", "/api/matters/newborn/reform-diff").status_code == 422  # which region?
    assert auditor.call("GET", "/api/matters/newborn/reform-diff?region=nowhere").status_code == 422
    mine = pujiang.call("GET", "/api/models?matter=newborn&region=pujiang").get_json()
    assert {(v["variant"], v["region"]) for v in mine if v["current"]} == {("after", "pujiang"),
                                                                           ("before", "province")}
