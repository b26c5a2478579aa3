"""One upload limit: the engine's file limit, and a web request limit derived from it (or set by environment)."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from engine.catalog import designer
from engine.model.xmlsafe import MAX_BYTES
from tests.web.conftest import token_of
from web.app import FORM_OVERHEAD, create_app


def post_multipart(client, url: str, fields: dict, **kwargs):
    """A multipart POST built in memory (the test client would spool a large body to a file it never closes)."""
    boundary, body = encode_multipart({name: FileStorage(io.BytesIO(value[0]), filename=value[1])
                                       if isinstance(value, tuple) else value for name, value in fields.items()})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def test_the_engine_has_one_file_limit_and_the_request_limit_holds_two_such_files(app):
    assert designer.MAX_UPLOAD == MAX_BYTES
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * MAX_BYTES + FORM_OVERHEAD


def test_the_environment_still_sets_the_request_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("ONETHING_MAX_UPLOAD_BYTES", "123456")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    app.instance_path = str(tmp_path / "instance")
    assert app.config["MAX_CONTENT_LENGTH"] == 123456


def test_a_model_and_matter_yaml_at_the_file_limit_reach_the_engine(client, login):
    token = login("designer.police")
    bpmn = b"<definitions/>" + b" " * (MAX_BYTES - len(b"<definitions/>"))
    matter = b"#" * (MAX_BYTES - 1) + b"\n"
    response = post_multipart(client, "/designer/upload", {
        "csrf_token": token, "action": "check", "bpmn": (bpmn, "after.bpmn"), "matter_yaml": (matter, "matter.yaml")})
    assert response.status_code == 422  # the engine's problems with the files, not 413 from the web


def test_a_request_over_the_limit_is_413_and_says_the_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024 // 2
    api = client.post("/api/lookup", json={"number": "x" * (2 * 1024 * 1024), "check": "8000"}).get_json()["error"]
    assert api["code"] == "too_large" and "1.5 MiB" in api["message"] and "1572864 字节" in api["message"]
    for language, words in (("en", "a request may carry at most 1.5 MiB"), ("zh-CN", "每次请求最多 1.5 MiB")):
        page = post_multipart(client, "/apply/newborn", {"csrf_token": token_of(client),
                                                         "x": (b"x" * (2 * 1024 * 1024), "x.bin")},
                              headers={"Accept-Language": language})
        assert page.status_code == 413 and words in page.get_data(as_text=True)


def test_a_model_upload_over_the_limit_says_the_limit_on_the_page_and_in_the_api(app, client, login):
    """The designer's own upload (page and API) past the request limit: 413 naming the limit, never a 500."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    shown = f"{limit * 10 // (1024 * 1024) / 10:g} MiB"
    token = login("designer.police")
    big = b"<definitions/>" + b" " * limit
    for language, words in (("en", f"a request may carry at most {shown}"), ("zh-CN", f"每次请求最多 {shown}")):
        page = post_multipart(client, "/designer/upload", {"csrf_token": token, "action": "check",
                                                          "bpmn": (big, "after.bpmn")},
                              headers={"Accept-Language": language})
        assert page.status_code == 413 and words in page.get_data(as_text=True)
    api = post_multipart(client, "/api/models/check", {"bpmn": (big, "after.bpmn")},
                         headers={"X-CSRF-Token": token, "Accept-Language": "en"})
    error = api.get_json()["error"]
    assert api.status_code == 413 and error["code"] == "too_large"
    assert shown in error["message"] and f"{limit} bytes" in error["message"]
