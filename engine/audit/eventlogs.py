"""Event logs to import, read row by row: CSV (`case_id,activity,department,start,end`) and XES as PM4Py writes it.

Readers yield `RawEvent`s with the texts as written and the row (CSV line, XES line of the event) they came
from; a bad row adds (row, message) to `problems` and reading goes on, so one run lists every problem. A
file that cannot be read at all (wrong header, not well-formed XML, too large) raises ImportRefused at once.
Checking events against a model is engine/audit/importing.py's job. XES is parsed with the hardened
settings of engine/model/xmlsafe.py (no entities, no DTD, no network), streaming: one trace at a time is
held in memory.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from engine.errors import ImportRefused

MAX_LOG_BYTES = 200 * 1024 * 1024  # a larger log is split into several files (and imports)
MAX_EVENTS = 500_000  # events (CSV rows, XES completions) of one file
MAX_SHOWN = 100  # problems listed when a file is refused; the rest are counted
CSV_HEADER = ("case_id", "activity", "department", "start", "end")
CSV_FIELD_LIMIT = 4096  # characters of one CSV field
LogSource = str | Path | bytes
Problems = list[tuple[int, str]]  # (row, message), printed as `FILE:ROW: message`


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One event (activity of a case) as written in the file; `start` "" means the case's previous end."""

    row: int
    case_id: str
    activity: str
    department: str
    start: str
    end: str


def refusal(filename: str, problems: Problems) -> ImportRefused:
    """The refusal of a whole file: its first MAX_SHOWN problems in row order, then how many more there are."""
    shown = [f"{filename}:{row}: {message}" for row, message in sorted(problems)[:MAX_SHOWN]]
    if len(problems) > MAX_SHOWN:
        shown.append(f"{filename}: {len(problems) - MAX_SHOWN} more problems not shown")
    return ImportRefused(shown)


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with an offset, as UTC; ValueError with the reason otherwise."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"bad date {text!r}: expected ISO 8601 with an offset, "
                         "e.g. 2018-03-01T09:30:00+08:00") from None
    if value.tzinfo is None:
        raise ValueError(f"date {text!r} has no offset: add the time zone, e.g. 2018-03-01T09:30:00+08:00")
    return value.astimezone(UTC)


def read_events(source: LogSource, filename: str, problems: Problems) -> Iterator[RawEvent]:
    """The events of a .csv or .xes log (a path, or its bytes), at most MAX_EVENTS of them."""
    kind = Path(filename).suffix.lower()
    if kind not in (".csv", ".xes"):
        raise ImportRefused([f"{filename}: unknown kind of log {kind or '(no extension)'!r}: expected .csv or .xes"])
    size = len(source) if isinstance(source, bytes) else os.path.getsize(source)
    if size > MAX_LOG_BYTES:
        raise ImportRefused([f"{filename}: the file is {size} bytes; the limit is {MAX_LOG_BYTES}: split it"])
    with (io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")) as stream:
        reader = _csv_events if kind == ".csv" else _xes_events
        for count, event in enumerate(reader(stream, filename, problems), start=1):
            if count > MAX_EVENTS:
                raise ImportRefused([f"{filename}:{event.row}: more than {MAX_EVENTS} events; the limit is "
                                     f"{MAX_EVENTS}: split the file"])
            yield event


def _csv_events(stream: BinaryIO, filename: str, problems: Problems) -> Iterator[RawEvent]:
    text = codecs.getreader("utf-8-sig")(stream)
    reader = csv.reader(text, strict=True)
    line = 0
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != CSV_HEADER:
            raise ImportRefused([f"{filename}:1: the header must be {','.join(CSV_HEADER)}"])
        line = reader.line_num
        for fields in reader:
            row, line = line + 1, reader.line_num  # a record may span lines (quoted newlines): its first line
            if not fields or not any(f.strip() for f in fields):
                continue
            if len(fields) != len(CSV_HEADER):
                problems.append((row, f"{len(fields)} fields; expected {len(CSV_HEADER)} "
                                      f"({','.join(CSV_HEADER)})"))
                continue
            if max(len(f) for f in fields) > CSV_FIELD_LIMIT:
                problems.append((row, f"a field is longer than {CSV_FIELD_LIMIT} characters"))
                continue
            case_id, activity, department, start, end = (f.strip() for f in fields)
            yield RawEvent(row, case_id, activity, department, start, end)
    except UnicodeDecodeError:
        raise ImportRefused([f"{filename}:{line + 1}: not UTF-8 text"]) from None
    except csv.Error as exc:
        raise ImportRefused([f"{filename}:{reader.line_num}: not a readable CSV row: {exc}"]) from None


# -- XES (IEEE 1849) -----------------------------------------------------------------------------------

_ATTRIBUTES = {"string", "date", "int", "float", "boolean", "id"}


@dataclass
class _XesEvent:
    line: int
    values: dict[str, str]


def _xes_events(stream: BinaryIO, filename: str, problems: Problems) -> Iterator[RawEvent]:
    parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    trace: list[_XesEvent] | None = None
    case_id, trace_line = "", 0
    try:
        for action, element in parser:
            name = etree.QName(element).localname
            parent = element.getparent()
            if action == "start":
                if parent is None:
                    _check_root(element, name, filename)
                elif name == "trace":
                    trace, case_id, trace_line = [], "", element.sourceline or 0
                continue
            owner = etree.QName(parent).localname if parent is not None else ""
            if name in _ATTRIBUTES and owner == "trace" and element.get("key") == "concept:name":
                case_id = (element.get("value") or "").strip()
            elif name == "event" and owner == "trace" and trace is not None:
                values = {a.get("key"): (a.get("value") or "").strip() for a in element
                          if etree.QName(a).localname in _ATTRIBUTES and a.get("key") and not _missing(a)}
                trace.append(_XesEvent(element.sourceline or 0, values))
            elif name == "trace" and trace is not None:
                if case_id:
                    yield from _paired(trace, case_id, problems)
                else:
                    problems.append((trace_line, "a trace without concept:name (the case id)"))
                trace = None
            if owner in ("log", "trace"):
                element.clear()
                while element.getprevious() is not None:  # what was read is not kept: memory stays one trace
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise ImportRefused([f"{filename}:{exc.lineno or 0}: not well-formed XML: {exc.msg}"]) from None


def _missing(attribute: etree._Element) -> bool:
    """PM4Py writes a missing value (pandas' NaN) as <float key=... value="nan"/>: it is no value."""
    return etree.QName(attribute).localname == "float" and (attribute.get("value") or "").lower() == "nan"


def _check_root(element: etree._Element, name: str, filename: str) -> None:
    if element.getroottree().docinfo.doctype:
        raise ImportRefused([f"{filename}:1: DOCTYPE declarations are not allowed in event logs"])
    if name != "log":
        raise ImportRefused([f"{filename}:{element.sourceline}: not an XES log: the root element is <{name}>, "
                             "not <log>"])


def _paired(trace: list[_XesEvent], case_id: str, problems: Problems) -> Iterator[RawEvent]:
    """A trace's events as activities: each complete closes the earliest open start of its activity."""
    started: dict[str, deque[_XesEvent]] = {}
    for event in trace:
        activity, when = event.values.get("concept:name", ""), event.values.get("time:timestamp", "")
        transition = (event.values.get("lifecycle:transition") or "complete").lower()
        missing = [key for key, value in (("concept:name", activity), ("time:timestamp", when)) if not value]
        if missing:
            problems.append((event.line, f"an event without {' or '.join(missing)}"))
        elif transition == "start":
            started.setdefault(activity, deque()).append(event)
        elif transition != "complete":
            problems.append((event.line, f"lifecycle:transition {transition!r} is neither start "
                                         "nor complete"))
        else:
            opened = started.get(activity)
            start = opened.popleft() if opened else None
            yield RawEvent(event.line, case_id, activity, _department(event) or _department(start),
                           start.values.get("time:timestamp", "") if start else "", when)
    for activity, left in started.items():
        for event in left:
            problems.append((event.line, f"start of {activity!r} without its complete"))


def _department(event: _XesEvent | None) -> str:
    if event is None:
        return ""
    return event.values.get("org:group") or event.values.get("org:resource") or ""
