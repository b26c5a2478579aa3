"""What use cases return: plain, immutable views of cases and steps (no ORM, no SpiffWorkflow)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.vocabulary import ROOT_REGION


@dataclass(frozen=True)
class Deadline:
    """A ready step's time limit: due date and working days left (negative when overdue)."""

    due: datetime | None
    days_left: int | None

    @property
    def colour(self) -> str:
        """green (more than 2 working days), yellow (0–2), red (overdue), none (no limit)."""
        if self.days_left is None:
            return "none"
        return "red" if self.days_left < 0 else "yellow" if self.days_left <= 2 else "green"


@dataclass(frozen=True)
class WorkItem:
    """A READY step on a worklist."""

    case_number: str
    task_id: str
    step_id: str
    step_name: str
    department: str | None
    ready_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    matter_id: str | None = None
    variant: str | None = None
    time_limit: int | None = None  # promised working days of the step (its model version's annotation)
    deadline: Deadline = Deadline(None, None)


@dataclass(frozen=True)
class CaseView:
    """A case as people see it."""

    number: str
    matter_id: str
    variant: str
    model_version: int
    status: str
    version: int
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    error: str | None
    ready_steps: tuple[WorkItem, ...] = ()
    waiting_messages: tuple[str, ...] = ()
    waiting_signals: tuple[str, ...] = ()  # signals from outside the case (OneThing has no way to send one yet)
    timers: tuple[datetime, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    trail: tuple[str, ...] = ()
    region: str = ROOT_REGION  # where the case is handled


@dataclass(frozen=True)
class LogEntry:
    """One row of a case's step log."""

    step_id: str
    step_name: str
    department: str | None
    event: str
    actor: str | None
    ready_at: datetime
    claimed_at: datetime | None
    at: datetime
    data: dict[str, Any] | None
