"""The modeler's matter editor API (issue #12 item 2): a deployed matter.yaml as rows, edited rows back to
matter.yaml with what `onething check` says, field by field in the page's language; designers of the matter's
departments only."""
from __future__ import annotations

import io
from pathlib import Path

import yaml

from engine import matter_comparison
from engine.accounts import users
from engine.catalog.history import list_versions
from engine.matters.files import parse_matter
from tests.web.conftest import PASSWORD

REPO = Path(__file__).resolve().parents[2]


def _editor(client, token: str, lang: str = "en") -> dict:
    answer = client.get("/api/matters/newborn/editor", headers={"Accept-Language": lang})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def _yaml(client, token: str, structure: dict, lang: str = "en"):
    return client.post("/api/matters/yaml", json={"matter_id": "newborn", "structure": structure},
                       headers={"X-CSRF-Token": token, "Accept-Language": lang})


def test_the_editor_opens_the_deployed_matter_and_writes_it_back_equal(client, login):
    token = login("designer.police")
    body = _editor(client, token)
    assert body["yaml"] == (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8")
    assert [m["id"] for m in body["structure"]["materials"]][:2] == ["parents_id", "birth_permit"]
    answer = _yaml(client, token, body["structure"])
    assert answer.status_code == 200 and answer.get_json()["valid"] is True, answer.get_json()
    written = parse_matter(answer.get_json()["yaml"].encode(), Path("newborn"), "matter.yaml")
    deployed = parse_matter(body["yaml"].encode(), Path("newborn"), "matter.yaml")
    assert written.materials == deployed.materials and written.forms == deployed.forms


def test_problems_name_the_field_in_the_page_language(client, login):
    token = login("designer.police")
    structure = _editor(client, token)["structure"]
    structure["materials"][1]["after"] = "sometimes"
    structure["time_limits"]["after"] = "soon"
    for lang, words in (("en", "Choose one of"), ("zh", "之一")):
        body = _yaml(client, token, structure, lang).get_json()
        assert body["valid"] is False
        found = {p["element_id"]: p for p in body["problems"]}
        assert "materials.1.after" in found and "time_limits.after" in found, body["problems"]
        assert words in found["materials.1.after"]["message"], found
        assert found["materials.1.after"]["line"] > 1


def test_a_designer_of_another_department_may_not_open_or_edit_the_matter(client, login, ctx):
    users.add_user(ctx, "designer.tax", PASSWORD, "designer", "tax")
    token = login("designer.tax")
    assert client.get("/api/matters/newborn/editor").status_code == 403
    assert _yaml(client, token, {"id": "newborn"}).status_code == 403
    new = client.post("/api/matters/yaml", json={"structure": {"id": "brand_new"}}, headers={"X-CSRF-Token": token})
    assert new.status_code == 200 and new.get_json()["valid"] is False  # a new matter is theirs to write
    assert client.get("/api/matters/no_such_matter/editor").status_code == 404


def test_a_bad_body_is_refused_clearly(client, login):
    token = login("designer.police")
    answer = client.post("/api/matters/yaml", json={"structure": "text"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 422 and "structure" in answer.get_json()["error"]["fields"]
    answer = client.post("/api/matters/yaml", json={"structure": {"forms": [1, None], "materials": "x"}},
                         headers={"X-CSRF-Token": token})
    assert answer.status_code == 200 and answer.get_json()["valid"] is False


def test_a_material_marked_shared_changes_the_live_savings(client, login, ctx):
    """The modeler's check with the edited matter.yaml: one material fewer for the applicant after the reform."""
    token = login("designer.police")
    editor = _editor(client, token)
    structure = editor["structure"]
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    xml = client.get(f"/designer/versions/{version.id}/bpmn").get_data()
    asked = [m for m in structure["materials"] if m["after"] == "applicant" and m["id"].encode() in xml]
    assert asked, "newborn's after asks the applicant for some material"
    asked[0]["after"] = "shared"
    text = _yaml(client, token, structure).get_json()["yaml"]
    answer = client.post("/api/models/check", data={
        "matter_id": "newborn", "variant": "after", "bpmn": (io.BytesIO(xml), "newborn-after.bpmn"),
        "matter_yaml": (io.BytesIO(text.encode()), "matter.yaml")},
        content_type="multipart/form-data", headers={"X-CSRF-Token": token}).get_json()
    assert answer["valid"] is True, answer
    deployed = matter_comparison(ctx, "newborn").comparison["materials"]
    assert answer["savings"]["comparison"]["materials"]["after"] == deployed["after"] - 1
    assert yaml.safe_load(text)["materials"][structure["materials"].index(asked[0])]["after"] == "shared"


def test_matter_yaml_text_reads_back_into_the_editor_rows(client, login):
    """A matter.yaml put on the page by someone else (a draft) becomes the editor's rows, problems and all."""
    token = login("designer.police")
    text = (REPO / "processes/newborn/matter.yaml").read_text(encoding="utf-8")
    body = client.post("/api/matters/yaml", json={"matter_id": "newborn", "yaml": text},
                       headers={"X-CSRF-Token": token}).get_json()
    assert body["valid"] is True and body["structure"] == _editor(client, token)["structure"]
    broken = text.replace("after: shared", "after: sometimes", 1)
    body = client.post("/api/matters/yaml", json={"matter_id": "newborn", "yaml": broken},
                       headers={"X-CSRF-Token": token, "Accept-Language": "en"}).get_json()
    assert body["valid"] is False and body["structure"]["materials"][1]["after"] == "sometimes"
    assert [p["element_id"] for p in body["problems"]] == ["materials.1.after"]
    body = client.post("/api/matters/yaml", json={"yaml": "- just a list"}, headers={"X-CSRF-Token": token})
    assert body.status_code == 200 and body.get_json()["structure"] is None
    assert "mapping" in body.get_json()["problems"][0]["message"] or body.get_json()["problems"]
    for both in ({"yaml": text, "structure": {}}, {}):
        refused = client.post("/api/matters/yaml", json=both, headers={"X-CSRF-Token": token})
        assert refused.status_code == 422 and "structure" in refused.get_json()["error"]["fields"]
