"""The auditor's matter page shows the measured figures of real finished cases, in the user's language."""
from __future__ import annotations

import re

from sqlalchemy import update

from engine.audit.measured import measured_metrics
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.store.tables import Case


def _row(page: str, label: str) -> list[str]:
    match = re.search(rf"<th scope=\"row\"><a [^>]*>{re.escape(label)}</a></th>\s*<td class=\"num\">([^<]*)</td>"
                      rf"\s*<td class=\"num\">([^<]*)</td>", page)
    assert match, label
    return [match.group(1).strip(), match.group(2).strip()]


def test_the_matter_page_shows_measured_real_cases(client, login, ctx):
    login("auditor")
    empty = client.get("/audit/matters/newborn", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _row(empty, "Finished cases") == ["0", "0"] and "No finished case from this source yet." in empty
    for variant in ("before", "after", "after"):
        drive_case(ctx, cases.start_case(ctx, "newborn", variant).number)
    simulated = cases.start_case(ctx, "newborn", "before").number
    with ctx.write() as session:
        session.execute(update(Case).where(Case.number == simulated).values(source="simulated"))
    drive_case(ctx, simulated)
    measured = measured_metrics(ctx, "newborn")
    page = client.get("/audit/matters/newborn", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _row(page, "Finished cases") == ["1", "2"]  # the simulated case is not a real one
    on_time = [f"{round(measured[v]['on_time_rate'] * 100, 1)} %" for v in ("before", "after")]
    assert _row(page, "On-time rate") == on_time
    chinese = client.get("/audit/matters/newborn", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert _row(chinese, "已办结办件") == ["1", "2"] and "按时办结率" in chinese
