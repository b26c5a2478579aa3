"""Legacy records in: CSV and XES event logs become finished imported cases, all rows or none (both databases)."""
from __future__ import annotations

import csv
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.audit import eventlogs
from engine.audit.importing import import_log
from engine.audit.summaries import rebuild_summaries
from engine.catalog import versions as catalog
from engine.context import EngineContext
from engine.errors import ImportRefused
from engine.store.tables import Case, StepLogEntry
from engine.store.tables_audit import FinishedCase

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
LOGS = Path(__file__).resolve().parent / "logs"  # a realistic sample; the .xes was written by PM4Py 2.7.23
HEADER = "case_id,activity,department,start,end"
CHINA = timezone(timedelta(hours=8))


@pytest.fixture
def newborn(ctx):
    """The newborn matter deployed; (id, number) of its current `before` version."""
    catalog.deploy_path(ctx, PROCESSES / "newborn")
    with ctx.read() as session:
        version = catalog.current_version(session, "newborn", "before")
        return version.id, version.version


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def xes_text(traces: dict[str, list[dict[str, str]]], trace_attributes_last: bool = False) -> str:
    """A log in PM4Py's layout (namespace, extensions, globals); each event on one line."""
    lines = ['<?xml version="1.0" encoding="utf-8" ?>',
             '<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">',
             '\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext" />',
             '\t<global scope="event">', '\t\t<string key="concept:name" value="__INVALID__" />', '\t</global>']
    for case_id, events in traces.items():
        name = f'\t\t<string key="concept:name" value="{case_id}" />'
        lines += ["\t<trace>"] + ([] if trace_attributes_last else [name])
        for event in events:
            tags = "".join(f'<{"date" if key == "time:timestamp" else "string"} key="{key}" value="{value}" />'
                           for key, value in event.items())
            lines.append(f"\t\t<event>{tags}</event>")
        lines += ([name] if trace_attributes_last else []) + ["\t</trace>"]
    return "\n".join(lines + ["</log>"]) + "\n"


def counts(ctx) -> dict[str, int]:
    with ctx.read() as session:
        return {table.__tablename__: session.scalar(select(func.count()).select_from(table))
                for table in (Case, StepLogEntry, FinishedCase)}


def imported(ctx) -> dict[str, tuple[dict, list[tuple]]]:
    """Imported cases (their columns) by their id in the log, each with its step log (step, department, ready, at)."""
    with ctx.read() as session:
        found = {}
        for case in session.scalars(select(Case).where(Case.source == "imported")):
            log = session.execute(select(StepLogEntry.step_id, StepLogEntry.department, StepLogEntry.ready_at,
                                         StepLogEntry.at).where(StepLogEntry.case_id == case.id)
                                  .order_by(StepLogEntry.id)).all()
            columns = {c.name: getattr(case, c.name) for c in Case.__table__.columns}
            found[case.external_id] = (columns, [tuple(row) for row in log])
        return found


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2019, 3, day, hour, minute, tzinfo=CHINA)


def test_a_csv_log_becomes_finished_cases_without_workflow(ctx, newborn, tmp_path):
    rows = ["c1,apply_birth_certificate,,2019-03-04T09:00:00+08:00,2019-03-04T10:00:00+08:00",
            "c2,审核并办理出生户口登记,公安局,2019-03-05T09:00+08:00,2019-03-05T09:30+08:00",
            "c1,Collect the paper birth medical certificate,,,2019-03-07T15:00:00+08:00",  # before its predecessor
            "c1,签发出生医学证明,health,,2019-03-05T11:00:00+08:00",
            "c2,pay_premium,Medical Security Bureau,,2019-03-06T01:30:00Z"]
    result = import_log(ctx, write_csv(tmp_path / "before-2019.csv", rows), "before-2019.csv", "newborn", "before")
    assert (result.cases, result.events, result.model_version) == (2, 5, newborn[1])
    cases = imported(ctx)
    first, log = cases["c1"]
    assert log == [("apply_birth_certificate", "Applicant", at(4, 9), at(4, 10)),  # no department: the step's lane
                   ("issue_birth_certificate", "health", at(4, 10), at(5, 11)),  # no start: the previous end
                   ("collect_birth_certificate", "Applicant", at(5, 11), at(7, 15))]
    assert cases["c2"][1] == [("register_birth", "police", at(5, 9), at(5, 9, 30)),
                              ("pay_premium", "medical_insurance", at(5, 9, 30), at(6, 9, 30))]
    assert {key: first[key] for key in ("status", "source", "state", "model_version_id")} == {
        "status": "completed", "source": "imported", "state": "", "model_version_id": newborn[0]}
    assert (first["started_at"], first["completed_at"]) == (at(4, 9), at(7, 15))
    assert first["number"].startswith("20190304-") and first["trail"] == [step for step, *_ in log]
    with ctx.read() as session:
        entries = session.execute(select(StepLogEntry.event, StepLogEntry.actor, StepLogEntry.claimed_at,
                                         StepLogEntry.data).where(StepLogEntry.case_id == first["id"])).all()
    assert {tuple(e) for e in entries} == {("completed", "import", None, None)}


def test_the_same_records_as_csv_and_as_xes_give_the_same_cases(ctx, newborn, tmp_path):
    other = EngineContext.from_url(f"sqlite:///{tmp_path / 'other.db'}", clock=ctx.clock)
    other.init_db()
    catalog.deploy_path(other, PROCESSES / "newborn")
    result = import_log(ctx, LOGS / "newborn-before-2019.csv", "newborn-before-2019.csv", "newborn", "before")
    from_xes = import_log(other, (LOGS / "newborn-before-2019.xes").read_bytes(), "newborn-before-2019.xes",
                          "newborn", "before")
    other.engine.dispose()
    with open(LOGS / "newborn-before-2019.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert (result.cases, result.events) == (from_xes.cases, from_xes.events) == (len({r["case_id"] for r in rows}),
                                                                                  len(rows))
    mine, theirs = imported(ctx), imported(other)
    assert {key: log for key, (_, log) in mine.items()} == {key: log for key, (_, log) in theirs.items()}


def test_xes_pairs_start_and_complete_and_reads_pm4py_layouts(ctx, newborn, tmp_path):
    traces = {"x1": [{"concept:name": "apply_birth_certificate", "time:timestamp": "2019-03-04T09:00:00.000+08:00",
                      "lifecycle:transition": "start"},
                     {"concept:name": "签发出生医学证明", "time:timestamp": "2019-03-05T11:00:00+08:00",
                      "org:resource": "卫生健康委"},  # no lifecycle: a completion; its start is the previous end
                     {"concept:name": "apply_birth_certificate", "time:timestamp": "2019-03-04T10:00:00+08:00",
                      "lifecycle:transition": "complete"}],
              "x2": [{"concept:name": "register_birth", "time:timestamp": "2019-03-05T09:00:00+08:00",
                      "lifecycle:transition": "start", "org:group": "police"},
                     {"concept:name": "register_birth", "time:timestamp": "2019-03-05T09:30:00+08:00",
                      "lifecycle:transition": "COMPLETE"}]}
    path = tmp_path / "log.xes"
    path.write_text(xes_text(traces, trace_attributes_last=True).replace(
        '<string key="org:group" value="police" />', '<string key="org:group" value="police" />'
        '<float key="org:resource" value="nan" />'), encoding="utf-8")  # pandas' missing value, as PM4Py writes it
    assert import_log(ctx, path, "log.xes", "newborn", "before").events == 3
    cases = imported(ctx)
    assert cases["x1"][1] == [("apply_birth_certificate", "Applicant", at(4, 9), at(4, 10)),
                              ("issue_birth_certificate", "health", at(4, 10), at(5, 11))]
    assert cases["x2"][1] == [("register_birth", "police", at(5, 9), at(5, 9, 30))]


@pytest.mark.parametrize(("bad_row", "message"), [
    ("c9,no_such_step,,,2019-03-04T10:00+08:00", "unknown activity 'no_such_step'"),
    ("c9,apply_birth_certificate,,2019-03-05T10:00+08:00,2019-03-04T10:00+08:00", "is before start"),
    ("c9,apply_birth_certificate,,,2019-13-04T10:00+08:00", "bad date '2019-13-04T10:00+08:00'"),
    ("c9,apply_birth_certificate,,2019-03-04T09:00,2019-03-04T10:00+08:00", "date '2019-03-04T09:00' has no offset"),
    ("c1,apply_birth_certificate,,2019-03-01T09:00+08:00,2019-03-04T10:00+08:00", "duplicate event: row 2 has"),
    ("c9,apply_birth_certificate,tax_office,,2019-03-04T10:00+08:00", "unknown department 'tax_office'"),
    ("c9,apply_birth_certificate,,2019-03-04T09:00+08:00,", "no end date"),
    ("c9,apply_birth_certificate,2019-03-04T10:00+08:00", "3 fields; expected 5"),
    (",apply_birth_certificate,,,2019-03-04T10:00+08:00", "no case_id"),
])
def test_a_bad_row_refuses_the_whole_file_with_its_row(ctx, newborn, tmp_path, bad_row, message):
    import_log(ctx, write_csv(tmp_path / "earlier.csv", ["c0,apply_birth_certificate,,,2019-03-01T10:00+08:00"]),
               "earlier.csv", "newborn", "before")
    before = counts(ctx)
    rows = ["c1,apply_birth_certificate,,,2019-03-04T10:00+08:00", "c1,签发出生医学证明,,,2019-03-05T10:00+08:00",
            bad_row, "c2,apply_birth_certificate,,,2019-03-06T10:00+08:00"]
    with pytest.raises(ImportRefused) as refused:
        import_log(ctx, write_csv(tmp_path / "late.csv", rows), "late.csv", "newborn", "before")
    (line,) = refused.value.problems
    assert line.startswith("late.csv:4: ") and message in line, line
    assert counts(ctx) == before and before["cases"] == 1


def _line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if marker in line)


@pytest.mark.parametrize(("event", "message"), [
    ({"concept:name": "no_such_step", "time:timestamp": "2019-03-04T10:00:00+08:00"}, "unknown activity"),
    ({"concept:name": "register_birth", "time:timestamp": "2019-03-04T10:00:00+08:00",
      "lifecycle:transition": "start"}, "start of 'register_birth' without its complete"),
    ({"concept:name": "register_birth", "time:timestamp": "2019-03-04T10:00:00+08:00",
      "lifecycle:transition": "suspend"}, "lifecycle:transition 'suspend' is neither start nor complete"),
    ({"concept:name": "register_birth"}, "an event without time:timestamp"),
    ({"concept:name": "register_birth", "time:timestamp": "yesterday"}, "bad date 'yesterday'"),
])
def test_a_bad_xes_event_refuses_the_file_at_its_line(ctx, newborn, tmp_path, event, message):
    good = {"concept:name": "apply_birth_certificate", "time:timestamp": "2019-03-04T09:00:00+08:00"}
    text = xes_text({"x1": [good, {**event, "marker": "bad"}], "x2": [good]})
    path = tmp_path / "log.xes"
    path.write_text(text, encoding="utf-8")
    before = counts(ctx)
    with pytest.raises(ImportRefused) as refused:
        import_log(ctx, path, "log.xes", "newborn", "before")
    (line,) = refused.value.problems
    assert line.startswith(f"log.xes:{_line_of(text, 'marker')}: ") and message in line, line
    assert counts(ctx) == before


@pytest.mark.parametrize(("text", "message"), [
    ('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaa">]>\n<log><trace/></log>', "log.xes:1: DOCTYPE"),
    ("<log><trace><event></trace></log>", "log.xes:1: not well-formed XML"),
    ("<bpmn/>", "log.xes:1: not an XES log"),
    ('<log><trace><event><string key="concept:name" value="register_birth"/></event></trace></log>',
     "log.xes:1: a trace without concept:name"),
])
def test_unsafe_or_broken_xes_is_refused(ctx, newborn, text, message):
    with pytest.raises(ImportRefused) as refused:
        import_log(ctx, text.encode(), "log.xes", "newborn", "before")
    assert refused.value.problems[0].startswith(message), refused.value.problems
    assert counts(ctx)["cases"] == 0


@pytest.mark.parametrize("activity", ["register_birth", "审核并办理出生户口登记",
                                      "Review and register the birth (hukou)",
                                      "  review and register   the birth (HUKOU) "])
def test_an_activity_is_a_step_id_or_its_chinese_or_english_name(ctx, newborn, activity):
    data = f'{HEADER}\nc1,"{activity}",,,2019-03-04T10:00+08:00\n'.encode()
    import_log(ctx, data, "log.csv", "newborn", "before")
    assert imported(ctx)["c1"][1][0][:2] == ("register_birth", "police")


def test_a_case_is_imported_once(ctx, newborn, tmp_path):
    path = write_csv(tmp_path / "log.csv", ["c1,apply_birth_certificate,,,2019-03-04T10:00+08:00"])
    import_log(ctx, path, "log.csv", "newborn", "before")
    number = imported(ctx)["c1"][0]["number"]
    before = counts(ctx)
    again = write_csv(tmp_path / "again.csv", ["c2,apply_birth_certificate,,,2019-03-04T10:00+08:00",
                                               "c1,签发出生医学证明,,,2019-03-05T10:00+08:00"])
    with pytest.raises(ImportRefused) as refused:
        import_log(ctx, again, "again.csv", "newborn", "before")
    assert refused.value.problems == [f"again.csv:3: case 'c1' was imported before (case {number}); an import is "
                                      "never repeated"]
    assert counts(ctx) == before
    with pytest.raises(IntegrityError), ctx.write() as session:  # the database holds the rule too (races)
        case = session.scalar(select(Case).where(Case.external_id == "c1"))
        session.add(Case(number="20190304-00000", model_version_id=case.model_version_id, matter_id="newborn",
                         variant="before", status="completed", source="imported", state="",
                         started_at=case.started_at, updated_at=case.updated_at, external_id="c1"))
        session.flush()


def test_summaries_of_imported_cases_are_what_a_rebuild_computes(ctx, newborn, clock, monkeypatch):
    from engine.audit import importing
    from engine.cases import lifecycle as cases
    from engine.cases.driving import drive_case

    monkeypatch.setattr(importing, "BATCH", 3)  # the sample's four cases are written in two batches
    drive_case(ctx, cases.start_case(ctx, "newborn", "before").number)
    import_log(ctx, LOGS / "newborn-before-2019.csv", "newborn-before-2019.csv", "newborn", "before")
    with ctx.read() as session:
        written = {r.case_id: {c.name: getattr(r, c.name) for c in FinishedCase.__table__.columns}
                   for r in session.scalars(select(FinishedCase))}
    assert sorted(r["source"] for r in written.values()).count("imported") == len(imported(ctx)) > 1
    assert rebuild_summaries(ctx) == len(written)
    with ctx.read() as session:
        rebuilt = {r.case_id: {c.name: getattr(r, c.name) for c in FinishedCase.__table__.columns}
                   for r in session.scalars(select(FinishedCase))}
    assert rebuilt == written
    row = next(r for r in written.values() if r["source"] == "imported")
    _, log = next(c for c in imported(ctx).values() if c[0]["id"] == row["case_id"])
    assert (row["started_at"], row["finished_at"], row["steps"]) == (min(e[2] for e in log), max(e[3] for e in log),
                                                                      len(log))


def test_limits_on_events_and_bytes_are_stated(ctx, newborn, monkeypatch):
    data = "\n".join([HEADER] + [f"c{n},apply_birth_certificate,,,2019-03-04T10:00+08:00" for n in range(5)]).encode()
    monkeypatch.setattr(eventlogs, "MAX_EVENTS", 3)
    with pytest.raises(ImportRefused, match=r"log.csv:5: more than 3 events; the limit is 3: split the file"):
        import_log(ctx, data, "log.csv", "newborn", "before")
    monkeypatch.setattr(eventlogs, "MAX_LOG_BYTES", 100)
    with pytest.raises(ImportRefused, match=rf"log.csv: the file is {len(data)} bytes; the limit is 100"):
        import_log(ctx, data, "log.csv", "newborn", "before")
    with pytest.raises(ImportRefused, match="expected .csv or .xes"):
        import_log(ctx, data, "log.xlsx", "newborn", "before")
    assert counts(ctx)["cases"] == 0


def test_many_problems_are_listed_up_to_a_limit(ctx, newborn):
    data = "\n".join([HEADER] + [f"c{n},nope,,,2019-03-04T10:00+08:00" for n in range(150)]).encode()
    with pytest.raises(ImportRefused) as refused:
        import_log(ctx, data, "log.csv", "newborn", "before")
    problems = refused.value.problems
    assert len(problems) == eventlogs.MAX_SHOWN + 1 and problems[0].startswith("log.csv:2: unknown activity")
    assert problems[-1] == f"log.csv: {150 - eventlogs.MAX_SHOWN} more problems not shown"


def test_a_case_stored_by_a_concurrent_transaction_refuses_the_import(ctx, newborn):
    data = f"{HEADER}\nc1,apply_birth_certificate,,,2019-03-04T10:00+08:00\n".encode()
    outcome: list[BaseException | None] = []
    with ctx.write() as session:  # another import, not yet committed, holds case c1
        session.add(Case(number="20190304-00000", model_version_id=newborn[0], matter_id="newborn", variant="before",
                         status="completed", source="imported", state="", started_at=ctx.clock.now(),
                         updated_at=ctx.clock.now(), external_id="c1"))
        session.flush()
        worker = threading.Thread(target=lambda: outcome.append(_raised(
            lambda: import_log(ctx, data, "log.csv", "newborn", "before"))))
        worker.start()
        time.sleep(1)  # the import now waits for this transaction (row lock, or SQLite's write lock)
    worker.join(timeout=60)
    (error,) = outcome
    assert isinstance(error, ImportRefused), error
    assert "at the same time" in error.problems[0] or "was imported before" in error.problems[0]
    assert counts(ctx)["cases"] == 1


def _raised(call) -> BaseException | None:
    try:
        call()
    except BaseException as exc:  # handed to the test's thread
        return exc
    return None
