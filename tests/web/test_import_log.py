"""`onething import-log` and imported cases on the case page, the JSON API and `onething case show`."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

import engine
from engine.store.tables import Case

LOG = ("case_id,activity,department,start,end\n"
       "old-1,apply_birth_certificate,,2019-03-04T09:00+08:00,2019-03-04T10:00+08:00\n"
       "old-1,签发出生医学证明,卫生健康委,,2019-03-06T10:00+08:00\n")



def test_import_log_stores_a_file_or_lists_every_bad_row(run, tmp_path):
    run("init-db")
    run("deploy")
    good = tmp_path / "before-2019.csv"
    good.write_text(LOG, encoding="utf-8")
    assert "imported 1 cases (2 events) into newborn/before v1" in run(
        "import-log", str(good), "--matter", "newborn", "--variant", "before").stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(LOG.replace("old-1", "old-2") + "old-2,nope,,,2019-03-07T10:00+08:00\n"
                   "old-3,register_birth,,2019-03-08T10:00+08:00,2019-03-07T10:00\n", encoding="utf-8")
    refused = run("import-log", str(bad), "--matter", "newborn", "--variant", "before", ok=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"{bad}:4: unknown activity 'nope': not a step id, name or English name of this model version",
        f"{bad}:5: date '2019-03-07T10:00' has no offset: add the time zone, e.g. 2018-03-01T09:30:00+08:00"]
    again = run("import-log", str(good), "--matter", "newborn", "--variant", "before", ok=False)
    number = re.search(r"was imported before \(case (\S+)\)", again.stderr).group(1)
    shown = run("case", "show", number).stdout
    assert "status: completed" in shown and "ready:" not in shown and "waits for" not in shown
    assert "completed issue_birth_certificate (health) by import" in shown
    assert "unknown kind of log" in run("import-log", str(good.rename(tmp_path / "log.txt")), "--matter",
                                        "newborn", "--variant", "before", ok=False).stderr


@pytest.fixture
def imported_number(ctx) -> str:
    """A newborn case imported into the app's database (as the CLI would)."""
    engine.import_log(ctx, LOG.encode(), "before-2019.csv", "newborn", "before")
    with ctx.read() as session:
        return session.scalar(select(Case.number).where(Case.external_id == "old-1"))


@pytest.mark.parametrize("role", ["auditor", "clerk.health", "admin"])
def test_the_case_page_shows_an_imported_case_with_its_drawing(client, login, imported_number, role):
    login(role)
    response = client.get(f"/cases/{imported_number}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in page  # the drawing did not fail (a failure shows a notice instead)
    assert "签发出生医学证明" in page or "Issue the birth medical certificate" in page
    assert "open-row" not in page and page.count(">import<") == 2


def test_the_api_shows_an_imported_case_and_its_log(client, login, imported_number):
    token = login("auditor")
    shown = client.get(f"/api/cases/{imported_number}", headers={"X-CSRF-Token": token}).get_json()
    assert (shown["status"], shown["ready_steps"], shown["waiting_messages"], shown["data"]) == ("completed", [],
                                                                                                  [], {})
    log = client.get(f"/api/cases/{imported_number}/steps").get_json()
    assert [(e["step_id"], e["department"], e["actor"]) for e in log] == [
        ("apply_birth_certificate", "Applicant", "import"), ("issue_birth_certificate", "health", "import")]
