"""SQLAlchemy models: deployed model versions, cases, open steps, the step log, timers, users."""
from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.db import Base
from engine.vocabulary import ROOT_REGION

ROOT = ROOT_REGION  # the root region (engine/store/tables_regions.py); every row made before regions is in it


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UTC_DATETIME = UTCDateTime()
LEVEL = 1  # zlib's fastest: a 47 KB state (a 200-step case half done) in 0.2 ms, level 6 in 1 ms, 8 % smaller


class PackedText(TypeDecorator):
    """Text kept zlib-compressed in a binary column (a case's state: JSON that compresses 3-4x); "" stays empty.

    Smaller than TOAST's threshold on PostgreSQL, a case row stays in its heap page, where updates that touch no
    indexed column are HOT and their dead versions are pruned on the page (migration 0015, fillfactor 70)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> bytes | None:
        if value is None:
            return None
        return zlib.compress(value.encode("utf-8", "surrogatepass"), LEVEL) if value else b""

    def process_result_value(self, value: bytes | None, dialect) -> str | None:
        if value is None:
            return None
        return zlib.decompress(value).decode("utf-8", "surrogatepass") if value else ""


class PackedJSON(TypeDecorator):
    """A JSON value kept zlib-compressed in a binary column (a case's trail and flows: lists of element ids that
    repeat), never queried by SQL; with the state, a finished case's row fits two to a 4 KB SQLite page."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> bytes | None:
        if value is None:
            return None
        return zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False)
                             .encode("utf-8", "surrogatepass"), LEVEL)

    def process_result_value(self, value: bytes | None, dialect) -> Any:
        return None if value is None else json.loads(zlib.decompress(value).decode("utf-8", "surrogatepass"))


class ModelVersion(Base):
    """One deployed version of a matter variant, stored once by content hash."""

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("region", "matter_id", "variant", "content_hash", name="uq_model_versions_content"),
        UniqueConstraint("region", "matter_id", "variant", "version", name="uq_model_versions_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    process_id: Mapped[str] = mapped_column(String(255))
    bpmn: Mapped[bytes] = mapped_column(LargeBinary)
    matter_yaml: Mapped[str | None] = mapped_column(Text)
    decision_tables: Mapped[str | None] = mapped_column(Text)  # JSON {DMN file name: XML text}; None: no DMN
    deployed_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    deployed_by: Mapped[str | None] = mapped_column(String(64))  # the account; None: `onething deploy` or the demo
    restored_from: Mapped[int | None] = mapped_column(Integer)  # a rollback: the older version it brings back
    # the region whose version line this is (engine/regions/tree.py: a region without its own runs its ancestor's)
    region: Mapped[str] = mapped_column(String(64), default=ROOT, server_default=ROOT)
    adopted_from: Mapped[int | None] = mapped_column(Integer)  # published_reforms.id this version's line adopted


class SharedVersion(Base):
    """One deployed version of a shared sub-process (a department's reusable process that matters call), stored
    once by content hash like a matter variant (engine/catalog/shared.py)."""

    __tablename__ = "shared_versions"
    __table_args__ = (
        UniqueConstraint("process_id", "content_hash", name="uq_shared_versions_content"),
        UniqueConstraint("process_id", "version", name="uq_shared_versions_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    bpmn: Mapped[bytes] = mapped_column(LargeBinary)
    process_yaml: Mapped[str | None] = mapped_column(Text)  # its process.yaml: names, owning department, sources
    department: Mapped[str | None] = mapped_column(String(64))  # the department that owns it
    deployed_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    deployed_by: Mapped[str | None] = mapped_column(String(64))


class Case(Base):
    """One applicant's run of a model version; `state` is the pruned workflow (compressed), `version` guards
    updates. On PostgreSQL the table has fillfactor 70 (migration 0015): room on each page for HOT updates."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    matter_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)  # engine.vocabulary.STATUSES
    source: Mapped[str] = mapped_column(String(16), default="real", server_default="real")  # real|simulated|imported
    error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(PackedText)
    trail: Mapped[list[str]] = mapped_column(PackedJSON, default=list)
    flows: Mapped[list[list[str]] | None] = mapped_column(PackedJSON, default=list)  # [source, target] pairs taken
    started_by: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    updated_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    completed_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    external_id: Mapped[str | None] = mapped_column(String(128))  # an imported case's id in its source log
    # the shared sub-process versions the case runs when it calls them, pinned when it starts: {process id:
    # shared_versions.id}; None: it calls none (and cases from before 0013)
    calls: Mapped[dict[str, int] | None] = mapped_column(JSON)
    region: Mapped[str] = mapped_column(String(64), default=ROOT, server_default=ROOT)  # where it is handled

    __table_args__ = (Index("ix_cases_matter_variant_status", "matter_id", "variant", "status"),
                      # the case list (0009): its filters, order and total from the index alone
                      Index("ix_cases_list", "source", "started_at", "matter_id", "model_version_id", "status",
                            "number"),
                      UniqueConstraint("matter_id", "variant", "source", "external_id", name="uq_cases_external_id"),
                      # the case list of one region or a few (0017)
                      Index("ix_cases_region_list", "region", "source", "started_at", "matter_id", "model_version_id",
                            "status", "number"))
    __mapper_args__ = {"version_id_col": version}


class OpenStep(Base):
    """A step that is READY now (the worklist); removed when it is completed or cancelled."""

    __tablename__ = "open_steps"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step_id: Mapped[str] = mapped_column(String(255))
    step_name: Mapped[str] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(64))
    ready_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    # End of the step's due working day (its time limit from ready_at), None without a limit: the worklist
    # filters and sorts by due state in SQL, so the deadline is kept, not recomputed per row.
    due_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)

    __table_args__ = (Index("ix_open_steps_department_ready", "department", "ready_at"),
                      Index("ix_open_steps_department_due", "department", "due_at"))


DONE = text("event = 'completed'")  # the rows of ix_step_log_done


class StepLogEntry(Base):
    """Append-only: one row per step event (claimed, released, completed, cancelled), never updated."""

    __tablename__ = "step_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    step_id: Mapped[str] = mapped_column(String(255))
    step_name: Mapped[str] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(64))
    # claimed | released | completed | cancelled | case_* | script_output (what a script task printed)
    event: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(64))
    ready_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    claimed_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))  # None: SQL NULL, not 'null'

    # a clerk's "done by me" (engine/cases/done.py): completed rows only, which the query names as a literal
    __table_args__ = (Index("ix_step_log_done", "actor", "id", sqlite_where=DONE, postgresql_where=DONE),)


class Timer(Base):
    """A timer a case waits on, due at `due_at`; the worker fires it and deletes the row."""

    __tablename__ = "timers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)


class User(Base):
    """A person who signs in: designer or clerk of a department, auditor, admin."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # designer | clerk | auditor | admin
    department: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(255))
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # bumped at sign-out
    region: Mapped[str] = mapped_column(String(64), default=ROOT, server_default=ROOT)  # clerks work only its cases


class LoginFailure(Base):
    """A wrong password, kept for a while to throttle guessing (per user name and per client)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)
