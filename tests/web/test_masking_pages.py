"""Personal numbers written inside free text reach auditors masked: case page, case API, step log API."""
from __future__ import annotations

from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data

SECRETS = ("13912345678", "110101199003078515", "1234 5678", "张伟收")
FREE_TEXT = {"cause_note": "家属电话13912345678，身份证110101199003078515",
             "remark": {"note": "ID 110101199003078515 tel 13912345678", "contact": {"mobile": "139 1234 5678"}},
             "mail_address": "北京市朝阳区建国路88号张伟收"}


def test_an_auditor_never_reads_personal_numbers_inside_free_text(client, ctx, login):
    data = {**example_data(citizen.intake_form(ctx, "newborn")), **FREE_TEXT}
    number = cases.start_case(ctx, "newborn", "after", data).number
    assert cases.get_case(ctx, number).data["remark"] == FREE_TEXT["remark"]  # stored as given
    login("auditor")
    for url in (f"/cases/{number}", f"/api/cases/{number}", f"/api/cases/{number}/steps"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in body, (url, secret)
    shown = client.get(f"/api/cases/{number}").get_json()
    assert shown["data"]["cause_note"].startswith("家属电话1391")
