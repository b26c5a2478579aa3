"""Exports of the step log: CSV read back, XES read back by PM4Py, Excel opened by openpyxl; streamed, one source."""
from __future__ import annotations

import csv
import io
import warnings
from datetime import datetime

import openpyxl
import pytest
from lxml import etree

from engine import Actor, InputError, MatterNotFound, NotYourDepartment, export_step_log_csv, export_xes, export_xlsx
from engine.audit.exports import STEP_COLUMNS
from tests.engine.exported import MATTER, make_cases

IMPORT_HEADER = ["case_id", "activity", "department", "start", "end"]  # what `onething import-log` reads
SYSTEM = Actor.system()
XES = "{http://www.xes-standard.org/}"


@pytest.fixture
def made(ctx, clock):
    return make_cases(ctx, clock)


def _csv(ctx, **kwargs) -> tuple[list[dict[str, str]], str, object]:
    out = io.BytesIO()
    written = export_step_log_csv(ctx, out, MATTER, actor=SYSTEM, **kwargs)
    text = out.getvalue().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""))), text, written


def test_csv_has_one_row_per_completed_step_of_each_ended_case_of_the_source(ctx, made):
    rows, text, written = _csv(ctx)
    assert text.splitlines()[0].split(",") == list(STEP_COLUMNS) and list(STEP_COLUMNS[:5]) == IMPORT_HEADER
    assert {r["case_id"] for r in rows} == made.numbers("real") and made.running not in text
    assert len(rows) == made.steps("real") and (written.cases, written.rows) == (len(made.numbers()), len(rows))
    for number, entries in made.ended["real"].items():
        mine = [r for r in rows if r["case_id"] == number]
        assert [r["step_id"] for r in mine] == [e.step_id for e in entries]
        for row, entry in zip(mine, entries, strict=True):
            assert row["activity"] == entry.step_id and row["step_name"] == entry.step_name
            assert (row["department"], row["actor"]) == (entry.department or "", entry.actor or "")
            assert datetime.fromisoformat(row["start"]) == datetime.fromisoformat(row["ready"]) == entry.ready_at
            assert datetime.fromisoformat(row["end"]) == datetime.fromisoformat(row["completed"]) == entry.at
            assert row["claimed"] == "" if entry.claimed_at is None else \
                datetime.fromisoformat(row["claimed"]) == entry.claimed_at
            assert (row["variant"], row["status"], row["source"]) == (made.variants[number], made.statuses[number],
                                                                      "real")
    assert all(r["start"].endswith("+08:00") and r["end"].endswith("+08:00") for r in rows)
    assert any(r["claimed"] for r in rows) and any(r["department"] == "Applicant" for r in rows)


def test_exports_never_mix_sources_and_filter_variants(ctx, made):
    simulated, _, _ = _csv(ctx, source="simulated")
    assert {r["case_id"] for r in simulated} == made.numbers("simulated") and {r["source"] for r in simulated} == \
        {"simulated"}
    after, _, written = _csv(ctx, variant="after")
    assert {r["case_id"] for r in after} == made.numbers("real", "after")
    assert written.rows == len(after) == made.steps("real", "after")
    nothing, text, written = _csv(ctx, source="imported")
    assert nothing == [] and text.startswith("case_id,") and (written.cases, written.rows) == (0, 0)


def test_no_export_holds_step_data(ctx, made):
    assert made.personal, "the cases' forms hold personal data, so this test can fail"
    _, text, _ = _csv(ctx)
    xes = io.BytesIO()
    export_xes(ctx, xes, MATTER, actor=SYSTEM)
    workbook = io.BytesIO()
    export_xlsx(ctx, workbook, MATTER, actor=SYSTEM)
    cells = "\n".join(str(c) for ws in openpyxl.load_workbook(workbook, read_only=True)
                      for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    for exported in (text, xes.getvalue().decode("utf-8"), cells):
        assert not [value for value in made.personal if value in exported]


def test_xes_follows_ieee_1849_and_pm4py_reads_the_same_cases_and_events(ctx, made, tmp_path):
    path = tmp_path / "log.xes"
    with path.open("wb") as out:
        written = export_xes(ctx, out, MATTER, actor=SYSTEM)
    assert (written.cases, written.rows) == (len(made.numbers()), 2 * made.steps())
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{XES}log" and root.get("xes.version") == "1849-2016"
    order = [etree.QName(child).localname for child in root]
    sections = ["extension", "global", "classifier", "string", "trace"]
    assert order == sorted(order, key=sections.index), "IEEE 1849: extensions, globals, classifiers, attributes, traces"
    prefixes = {e.get("prefix"): e.get("uri") for e in root.iter(f"{XES}extension")}
    assert set(prefixes) == {"concept", "time", "lifecycle", "org"}
    assert all(uri == f"http://www.xes-standard.org/{p}.xesext" for p, uri in prefixes.items())
    event_globals = {a.get("key") for g in root.iter(f"{XES}global") if g.get("scope") == "event" for a in g}
    for classifier in root.iter(f"{XES}classifier"):
        assert set(classifier.get("keys").split()) <= event_globals
    traces = root.findall(f"{XES}trace")
    assert {t.find(f"{XES}string[@key='concept:name']").get("value") for t in traces} == made.numbers()
    for element in root.iter(f"{XES}trace", f"{XES}event"):
        keys = [a.get("key") for a in element if a.get("key")]
        assert len(keys) == len(set(keys)) and all(k.split(":")[0] in prefixes for k in keys if ":" in k)
    for event in root.iter(f"{XES}event"):
        values = {a.get("key"): a.get("value") for a in event}
        assert event_globals <= set(values) and values["lifecycle:transition"] in ("start", "complete")
        assert datetime.fromisoformat(values["time:timestamp"]).utcoffset() is not None
    with warnings.catch_warnings():  # pm4py and its libraries warn about their own dependencies
        warnings.simplefilter("ignore")
        import pm4py  # test-only (AGPL): never imported by product code

        log = pm4py.read_xes(str(path), return_legacy_log_object=True, show_progress_bar=False)
    assert len(log) == len(made.numbers()) and sum(len(trace) for trace in log) == 2 * made.steps()
    for trace in log:
        entries = made.ended["real"][trace.attributes["concept:name"]]
        done = [e for e in trace if e["lifecycle:transition"] == "complete"]
        assert sorted(e["concept:name"] for e in done) == sorted(x.step_name for x in entries)
        assert sorted(e["time:timestamp"] for e in done) == sorted(x.at for x in entries)
        assert {e["org:group"] for e in trace} == {x.department for x in entries}
        assert [e["time:timestamp"] for e in trace] == sorted(e["time:timestamp"] for e in trace)


def test_workbook_has_a_sheet_per_table_and_continues_a_full_sheet(ctx, made):
    out = io.BytesIO()
    written = export_xlsx(ctx, out, MATTER, actor=SYSTEM)
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["comparison", "cases", "steps"]
    cases = list(workbook["cases"].iter_rows(values_only=True))
    assert {row[0] for row in cases[1:]} == made.numbers() and len(cases) == len(made.numbers()) + 1
    assert {row[5] for row in cases[1:]} == {"completed", "cancelled"}
    assert workbook["steps"].max_row == made.steps() + 1 == written.rows + 1
    assert isinstance(list(workbook["steps"].iter_rows(min_row=2, max_row=2, values_only=True))[0][9], datetime)
    comparison = [c for row in workbook["comparison"].iter_rows(values_only=True) for c in row if c]
    assert "环节数" in comparison  # the static metrics, labelled in Chinese by default
    small = io.BytesIO()
    export_xlsx(ctx, small, MATTER, actor=SYSTEM, max_rows=10)
    split = openpyxl.load_workbook(small, read_only=True)
    steps = [name for name in split.sheetnames if name.startswith("steps")]
    assert steps[:2] == ["steps", "steps 2"] and len(steps) == -(-made.steps() // 9)
    assert sum(split[name].max_row - 1 for name in steps) == made.steps()


def test_exports_refuse_unknown_filters_and_readers_of_other_departments(ctx, made):
    for kwargs in ({"source": "guessed"}, {"variant": "during"}):
        with pytest.raises(InputError):
            export_step_log_csv(ctx, io.BytesIO(), MATTER, actor=SYSTEM, **kwargs)
    with pytest.raises(MatterNotFound):
        export_xes(ctx, io.BytesIO(), "no_such_matter", actor=SYSTEM)
    with pytest.raises(NotYourDepartment):
        export_xlsx(ctx, io.BytesIO(), MATTER, actor=Actor("clerk.tax", "clerk", "tax"))
    export_step_log_csv(ctx, io.BytesIO(), MATTER, actor=Actor("auditor", "auditor"))
