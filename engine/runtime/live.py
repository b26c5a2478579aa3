"""Live workflows: the cases a process worked last, kept loaded so its next use case on one of them skips
rebuilding the workflow from the saved state (issue #10: a clerk action's cost).

The database stays the truth. An entry remembers the case's row as it was saved (row version, model version,
shared sub-processes, the state text itself) and serves a use case only if the row it reads now is that very
row: anything that wrote the case since (another process, an admin, a migration, a test) makes it a miss, and
the case loads from its state as always. An entry is handed to one use case at a time (taken out, put back
only after that use case's transaction committed, or after a read), so no two threads share a workflow, and a
use case that fails leaves nothing behind. Bounded: the least recently kept go first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from engine.runtime.workflow import CaseRuntime

LIVE_CASES = 200  # per process: a clerk's morning of cases, a few MB


class RowSeen(NamedTuple):
    """What a case's row held when its workflow was kept: the entry serves that row only."""

    version: int
    model_version_id: int
    calls: Any
    state: str


class LiveWorkflows:
    """Case id -> (the row it matches, its loaded workflow), least recently kept first."""

    def __init__(self, size: int = LIVE_CASES) -> None:
        self._entries: OrderedDict[int, tuple[RowSeen, CaseRuntime]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def take(self, case_id: int, row: RowSeen) -> CaseRuntime | None:
        """The workflow kept for exactly this row of the case, taken out (None: load it from its state)."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is None or entry[0] != row:
            return None
        return entry[1]

    def keep(self, case_id: int, row: RowSeen, runtime: CaseRuntime) -> None:
        """Keep the workflow that `row` saved, for the next use case on the case."""
        runtime.trail, runtime.taken, runtime.printed = [], [], []  # saved with the row: start afresh
        with self._lock:
            self._entries.pop(case_id, None)
            self._entries[case_id] = (row, runtime)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
