"""The step log of a matter as an IEEE 1849-2016 XES event log, written trace by trace as rows stream in.

One trace per ended case (concept:name = case number). Each completed step gives two events: `start`
at the time the step became ready and `complete` at its completion (lifecycle extension), with the
step name (concept:name), its id, department (org:group) and, on completion, who completed it
(org:resource). Start is the ready time, not the claim time, so that a log read back (`onething
import-log`) measures the same elapsed time and working days (docs/metrics.md).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import BinaryIO

from engine.accounts.users import Actor
from engine.audit.exports import Exported, ExportFilter, StepRow, check_export, iso, step_rows
from engine.context import EngineContext

XES_NAMESPACE = "http://www.xes-standard.org/"
EXTENSIONS = (  # name, prefix, definition
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
)
FLUSH_CHARS = 1 << 16  # write to the stream every 64 KiB or so
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _attr(value: str) -> str:
    """A value as an XML attribute's content: escaped, and without characters XML 1.0 cannot carry."""
    value = _NOT_XML.sub("", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def _string(key: str, value: str | None, indent: str) -> str:
    return f'{indent}<string key="{key}" value="{_attr(value)}"/>\n' if value else ""


def header(wanted: ExportFilter) -> str:
    """The log element's opening: extensions, global attributes, classifiers and the log's own attributes."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             f'<log xes.version="1849-2016" xmlns="{XES_NAMESPACE}">\n']
    lines += [f'  <extension name="{name}" prefix="{prefix}" uri="{uri}"/>\n' for name, prefix, uri in EXTENSIONS]
    lines += ['  <global scope="trace">\n', '    <string key="concept:name" value="UNKNOWN"/>\n', '  </global>\n',
              '  <global scope="event">\n', '    <string key="concept:name" value="UNKNOWN"/>\n',
              '    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>\n',
              '    <string key="lifecycle:transition" value="complete"/>\n', '  </global>\n',
              '  <classifier name="Activity" keys="concept:name"/>\n',
              '  <classifier name="ActivityLifecycle" keys="concept:name lifecycle:transition"/>\n']
    name = " ".join(part for part in (wanted.matter_id, wanted.variant, wanted.source) if part)
    lines += [_string("concept:name", name, "  "), _string("lifecycle:model", "standard", "  "),
              _string("matter", wanted.matter_id, "  "), _string("source", wanted.source, "  ")]
    return "".join(lines)


def trace(steps: list[StepRow]) -> tuple[str, int]:
    """One case's trace and how many events it holds, events in time order (a start before a completion)."""
    first = steps[0]
    events = sorted([(step.ready, 0, index, step) for index, step in enumerate(steps)]
                    + [(step.completed, 1, index, step) for index, step in enumerate(steps)],
                    key=lambda event: event[:3])
    lines = ["  <trace>\n", _string("concept:name", first.case_id, "    "), _string("variant", first.variant, "    "),
             _string("status", first.status, "    ")]
    for moment, done, _, step in events:
        lines += ["    <event>\n", _string("concept:name", step.step_name, "      "),
                  _string("step_id", step.step_id, "      "),
                  f'      <date key="time:timestamp" value="{iso(moment)}"/>\n',
                  _string("lifecycle:transition", "complete" if done else "start", "      "),
                  _string("org:group", step.department, "      "),
                  _string("org:resource", step.actor if done else None, "      "),
                  "    </event>\n"]
    lines.append("  </trace>\n")
    return "".join(lines), len(events)


def traces(rows: Iterable[StepRow]) -> Iterator[tuple[str, int]]:
    """The traces of streamed step rows (ordered by case): one case's rows are held at a time."""
    for _, steps in groupby(rows, key=lambda row: row.case_id):
        yield trace(list(steps))


def export_xes(ctx: EngineContext, out: BinaryIO, matter_id: str, variant: str | None = None,
               source: str = "real", *, actor: Actor) -> Exported:
    """Write the step log of a matter's ended cases to `out` as XES; how many traces and events it holds."""
    wanted = ExportFilter(matter_id, variant, source)
    cases = events = 0
    with ctx.read() as session:
        wanted = check_export(ctx, session, wanted, actor)
        pending, size = [header(wanted)], 0
        for text, count in traces(step_rows(session, wanted)):
            pending.append(text)
            size += len(text)
            cases, events = cases + 1, events + count
            if size >= FLUSH_CHARS:
                out.write("".join(pending).encode("utf-8"))
                pending, size = [], 0
        pending.append("</log>\n")
        out.write("".join(pending).encode("utf-8"))
    return Exported(cases, events)
