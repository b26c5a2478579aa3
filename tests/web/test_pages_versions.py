"""The designer's version history pages (issue #11 item 19): who deployed, the BPMN download, rollback, diffs."""
from __future__ import annotations

import pytest

from engine.catalog.history import list_versions
from tests.web.test_pages_staff import ENGLISH, NEWBORN_AFTER, upload

RENAMED = NEWBORN_AFTER.replace("寄递户口簿、社会保障卡并推送电子证照".encode(), "寄递办理结果（新名）".encode())


@pytest.fixture
def two_versions(client, login, ctx):
    """newborn/after deployed again by the police's designer, with deliver_results renamed: (v1 id, v2 id)."""
    token = login("designer.police")
    deployed = upload(client, token, action="deploy", matter_id="newborn", variant="after",
                      files={"bpmn": (RENAMED, "after.bpmn")})
    assert deployed.status_code == 200, deployed.get_data(as_text=True)[-800:]
    second, first = [v.id for v in list_versions(ctx, "newborn") if v.variant == "after"]
    return first, second, token


def test_the_version_list_and_page_say_who_deployed_each_version(client, two_versions):
    first, second, _ = two_versions
    page = client.get("/designer/", headers=ENGLISH).get_data(as_text=True)
    assert "designer.police" in page and "command line" in page
    version = client.get(f"/designer/versions/{second}", headers=ENGLISH).get_data(as_text=True)
    assert "by designer.police" in version and f"/designer/versions/{second}/bpmn" in version
    assert "Make this version current again" not in version  # it is current
    older = client.get(f"/designer/versions/{first}", headers=ENGLISH).get_data(as_text=True)
    assert "Make this version current again" in older and "Compare with" in older


def test_the_bpmn_download_is_the_deployed_file(client, two_versions):
    _, second, _ = two_versions
    answer = client.get(f"/designer/versions/{second}/bpmn")
    assert answer.status_code == 200 and answer.data == RENAMED
    assert 'filename="after.bpmn"' in answer.headers["Content-Disposition"]


def test_rolling_back_makes_the_older_content_current_as_a_new_version(client, ctx, two_versions):
    first, _, token = two_versions
    answer = client.post(f"/designer/versions/{first}/restore", data={"csrf_token": token}, headers=ENGLISH)
    assert answer.status_code == 200
    assert "Rolled back: newborn/after version 3 carries the content of version 1 again." in answer.get_data(
        as_text=True)
    current = list_versions(ctx, "newborn")[0]
    assert (current.version, current.restored_from, current.deployed_by) == (3, 1, "designer.police")


def test_rolling_back_needs_the_csrf_token(client, two_versions):
    first, _, _ = two_versions
    assert client.post(f"/designer/versions/{first}/restore", data={}).status_code == 403


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Changes from after v1 to after v2", "0 added, 0 removed, 1 changed", ">step<")),
    ("zh", ("从改革后 v1 到改革后 v2 的修改", "新增 0 项，删除 0 项，修改 1 项", ">步骤<"))])
def test_the_diff_page_lists_each_change_in_the_page_language(client, two_versions, language, words):
    first, second, _ = two_versions
    answer = client.get(f"/designer/versions/{second}/diff?with={first}", headers={"Accept-Language": language})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "deliver_results" in page and "寄递办理结果（新名）" in page
    for word in words:
        assert word in page, word


def test_a_diff_without_a_version_to_compare_is_a_400(client, two_versions):
    _, second, _ = two_versions
    assert client.get(f"/designer/versions/{second}/diff?with=x").status_code == 400
