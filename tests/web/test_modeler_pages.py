"""The designer's modeler page (bpmn-js Modeler, issue #12 items 1 and 3): opens a version or a new model, and its
live check is the API's check of the drawn XML, as deploying would check it."""
from __future__ import annotations

import io
import re

from engine import matter_comparison
from engine.catalog.history import list_versions


def test_the_modeler_opens_a_deployed_version_with_its_file_and_the_check_it_will_call(client, login, ctx):
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    login("designer.police")
    page = client.get(f"/designer/model?version={version.id}").get_data(as_text=True)
    assert f'data-xml-url="/designer/versions/{version.id}/bpmn"' in page
    assert 'action="/api/models/check"' in page and 'value="newborn"' in page
    assert re.search(r'<option value="after"\s+selected', page)
    assert "vendor/bpmn-js/bpmn-modeler.production.min.js" in page and "static/modeler.js" in page
    assert "<script>" not in page  # the CSP allows no inline script
    blank = client.get("/designer/model").get_data(as_text=True)
    assert 'data-xml-url=""' in blank and 'data-file-name="model-after.bpmn"' in blank


def test_the_after_variant_starts_from_a_copy_of_the_before(client, login, ctx):
    old = next(v for v in list_versions(ctx, "newborn") if v.variant == "before" and v.current)
    login("designer.police")
    version_page = client.get(f"/designer/versions/{old.id}").get_data(as_text=True)
    start = f"/designer/model?version={old.id}&amp;variant=after"
    assert f'href="{start}"' in version_page
    page = client.get(start.replace("&amp;", "&"), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-xml-url="/designer/versions/{old.id}/bpmn"' in page  # the before's file...
    assert re.search(r'<option value="after"\s+selected', page) and 'data-file-name="newborn-after.bpmn"' in page
    assert "starting from a copy of the before variant" in page  # ...drawn as the after
    assert client.get(f"/designer/model?version={old.id}&variant=sideways").status_code == 200  # unknown: after


def test_a_version_that_is_no_number_or_does_not_exist_is_refused_clearly(client, login):
    login("designer.police")
    assert client.get("/designer/model?version=abc").status_code == 422
    assert client.get("/designer/model?version=99999999999999").status_code == 422
    assert client.get("/designer/model?version=999999").status_code == 404


def test_the_live_check_names_the_element_of_each_problem(client, login, ctx):
    """What modeler.js sends: the page's form fields and the drawn XML as the file `bpmn`."""
    token = login("designer.police")
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    xml = client.get(f"/designer/versions/{version.id}/bpmn").get_data(as_text=True)
    broken = re.sub(r'name="form" value="[^"]+"', 'name="form" value="no_such_form"', xml, count=1)
    assert broken != xml
    answer = client.post("/api/models/check", data={"matter_id": "newborn", "variant": "after",
                                                    "bpmn": (io.BytesIO(broken.encode()), "newborn-after.bpmn")},
                         content_type="multipart/form-data", headers={"Accept-Language": "en", "X-CSRF-Token": token})
    body = answer.get_json()
    assert answer.status_code == 200 and body["valid"] is False, body
    assert any(p["element_id"] and "no_such_form" in p["message"] for p in body["problems"]), body
    fine = client.post("/api/models/check", data={"matter_id": "newborn", "variant": "after",
                                                  "bpmn": (io.BytesIO(xml.encode()), "newborn-after.bpmn")},
                       content_type="multipart/form-data", headers={"X-CSRF-Token": token})
    assert fine.status_code == 200 and fine.get_json()["valid"] is True and fine.get_json()["problems"] == []
    assert fine.get_json()["savings"]["comparison"] == matter_comparison(ctx, "newborn").comparison


def test_the_live_check_gives_what_the_drawn_variant_saves_against_the_deployed_other(client, login, ctx):
    """An `after` drawn with its one trip removed: the savings count one trip fewer than the deployed after."""
    token = login("designer.police")
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    xml = client.get(f"/designer/versions/{version.id}/bpmn").get_data(as_text=True)
    assert xml.count('name="trip" value="true"') == 1
    drawn = xml.replace('name="trip" value="true"', 'name="trip" value="false"')
    answer = client.post("/api/models/check", data={"matter_id": "newborn", "variant": "after",
                                                    "bpmn": (io.BytesIO(drawn.encode()), "newborn-after.bpmn")},
                         content_type="multipart/form-data", headers={"X-CSRF-Token": token}).get_json()
    deployed = matter_comparison(ctx, "newborn")
    trips = answer["savings"]["comparison"]["trips"]
    assert (trips["before"], trips["after"]) == (deployed.before["trips"], deployed.after["trips"] - 1)
    assert trips["change"] == trips["after"] - trips["before"]
    old = next(v for v in list_versions(ctx, "newborn") if v.variant == "before" and v.current)
    before_xml = client.get(f"/designer/versions/{old.id}/bpmn").get_data(as_text=True)
    fewer = before_xml.replace('name="trip" value="true"', 'name="trip" value="false"', 1)
    as_before = client.post("/api/models/check", data={"matter_id": "newborn", "variant": "before",
                                                       "bpmn": (io.BytesIO(fewer.encode()), "newborn-before.bpmn")},
                            content_type="multipart/form-data", headers={"X-CSRF-Token": token}).get_json()
    trips = as_before["savings"]["comparison"]["trips"]  # the drawn before beside the deployed after
    assert (trips["before"], trips["after"]) == (deployed.before["trips"] - 1, deployed.after["trips"])


def test_the_modeler_holds_the_deployed_matter_yaml_and_the_matter_editor(client, login, ctx):
    """The matter editor's contract with the live check: <textarea id="matter-yaml"> holds the deployed text."""
    version = next(v for v in list_versions(ctx, "newborn") if v.variant == "after" and v.current)
    login("designer.police")
    page = client.get(f"/designer/model?version={version.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    deployed = re.search(r'<textarea id="matter-yaml" hidden>\n(.*?)</textarea>', page, re.S)
    assert deployed is not None and "id: newborn" in deployed.group(1)
    assert 'data-editor-url="/api/matters/newborn/editor"' in page and 'data-yaml-url="/api/matters/yaml"' in page
    assert "static/matter_editor.js" in page and "static/modeler_lanes.js" in page
    assert "Shared: obtained by data sharing" in page  # the material kinds, in the page's language
    blank = client.get("/designer/model").get_data(as_text=True)
    assert re.search(r'<textarea id="matter-yaml" hidden>\n</textarea>', blank)
    assert 'data-editor-url=""' in blank
