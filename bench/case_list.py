"""The staff's case list on many cases: one page (50) with its total, by filter, on SQLite and PostgreSQL.

    python bench/case_list.py [cases] [postgresql URL]

Seeds `cases` case rows (copies of started newborn cases, spread over a year, a tenth completed, a few
cancelled or in error) in a fresh database, then times `list_cases` for an admin and a police clerk.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # before bench/, whose engine.py would shadow the package

from sqlalchemy import insert, select  # noqa: E402

from engine.accounts.users import Actor  # noqa: E402
from engine.cases.caselist import CaseQuery, list_cases  # noqa: E402
from engine.cases.lifecycle import start_case  # noqa: E402
from engine.catalog.versions import deploy_path  # noqa: E402
from engine.context import EngineContext  # noqa: E402
from engine.runtime.clock import SimulatedClock  # noqa: E402
from engine.store.tables import Case  # noqa: E402

QUERIES = {
    "newest first, no filter": CaseQuery(),
    "matter + status": CaseQuery(matter_id="newborn", status="running"),
    "started in one month": CaseQuery(started_from=date(2026, 3, 1), started_to=date(2026, 3, 31)),
    "overdue": CaseQuery(overdue=True),
    "page 100, by number": CaseQuery(sort="number", descending=False, page=100),
}


def seed(ctx: EngineContext, n: int) -> None:
    deploy_path(ctx, REPO / "processes" / "newborn")
    template = start_case(ctx, "newborn", "after").number
    with ctx.write() as session:
        case = session.scalar(select(Case).where(Case.number == template))
        assert case is not None
        start = case.started_at
        rows = []
        for i in range(n):
            status = "completed" if i % 10 == 0 else "cancelled" if i % 97 == 0 else "error" if i % 331 == 0 \
                else "running"
            when = start + timedelta(minutes=i * 525_600 // n)
            rows.append({"number": f"B{i:09d}", "model_version_id": case.model_version_id, "matter_id": "newborn",
                         "variant": "after", "status": status, "source": "real", "version": 1, "state": case.state,
                         "trail": [], "flows": [], "started_at": when, "updated_at": when, "applicant": {},
                         "completed_at": when + timedelta(days=3) if status == "completed" else None})
            if len(rows) == 2000:
                session.execute(insert(Case), rows)
                rows = []
        if rows:
            session.execute(insert(Case), rows)


def run(url: str, n: int) -> None:
    ctx = EngineContext.from_url(url, clock=SimulatedClock())
    ctx.init_db()
    seed(ctx, n)
    ctx.clock.advance(timedelta(days=365))
    for who in (Actor("admin", "admin"), Actor("clerk.police", "clerk", "police")):
        for name, query in QUERIES.items():
            list_cases(ctx, who, query)  # warm: versions parsed, facts cached
            times = []
            for _ in range(7):
                began = time.perf_counter()
                found = list_cases(ctx, who, query)
                times.append((time.perf_counter() - began) * 1000)
            print(f"{ctx.dialect:10} {n:>7} cases  {who.role:6} {name:26} total {found.total:>7}  "
                  f"median {statistics.median(times):7.1f} ms")
    ctx.engine.dispose()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", count)
    if len(sys.argv) > 2:
        run(sys.argv[2], count)
