"""smaller finished cases (issue #10 item 4): a case's state, trail and flows zlib-compressed
(engine.store.tables.PackedText, PackedJSON);
on PostgreSQL `cases` gets fillfactor 70, so the updates of a running case (none touches an indexed column until
it ends) are HOT and their dead versions are pruned on the page instead of piling up with TOAST chunks; the step
log loses `ix_step_log_step_event` (no query reads step_log by step without its case) and keeps a step's
missing data as SQL NULL instead of the JSON text 'null'.

Every existing state, trail and flows is compressed here (and decompressed by the downgrade): nothing is lost.
SQLite keeps the columns' declared types (TEXT, JSON): a column of TEXT or NUMERIC affinity stores the compressed
bytes as a BLOB all the same, and retyping them would mean rebuilding `cases`, which other tables' foreign keys
point to.

Revision ID: 0016
Revises: 0015
"""
import json
import zlib

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 500
LEVEL = 1  # as engine.store.tables.LEVEL (a migration keeps its own constants)


PACKED = ("state", "trail", "flows")
JSON_COLUMNS = ("trail", "flows")


def _rewrite(convert) -> None:
    """Every case's state, trail and flows through `convert(column, stored value)`, in batches by id."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text("SELECT id, state, trail, flows FROM cases WHERE id > :last ORDER BY id "
                                    "LIMIT :n"), {"last": last, "n": BATCH}).all()
        if not rows:
            return
        for column in PACKED:
            changed = [{"key": row.id, "value": convert(column, getattr(row, column))}
                       for row in rows if getattr(row, column)]
            if changed:
                bind.execute(sa.text(f"UPDATE cases SET {column} = :value WHERE id = :key"), changed)
        last = rows[-1].id


def _text(value) -> str:
    return value if isinstance(value, str) else bytes(value).decode("utf-8", "surrogatepass")


def _packed(column: str, value) -> bytes:
    """The stored text (bytes on PostgreSQL once retyped), compressed; JSON written compact, without escapes."""
    text = _text(value)
    if column in JSON_COLUMNS:
        text = json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    return zlib.compress(text.encode("utf-8", "surrogatepass"), LEVEL)


def _unpacked(column: str, value) -> str:
    return zlib.decompress(bytes(value)).decode("utf-8", "surrogatepass")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for column in PACKED:
            op.alter_column("cases", column, type_=sa.LargeBinary(), existing_nullable=column != "flows",
                            postgresql_using=f"convert_to({column}::text, 'UTF8')")
    _rewrite(_packed)
    if postgres:
        op.execute("ALTER TABLE cases SET (fillfactor = 70)")
        op.execute("UPDATE step_log SET data = NULL WHERE data::text = 'null'")
    else:
        op.execute("UPDATE step_log SET data = NULL WHERE data = 'null'")
    op.drop_index("ix_step_log_step_event", "step_log")


def downgrade() -> None:
    op.create_index("ix_step_log_step_event", "step_log", ["step_id", "event"])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE cases RESET (fillfactor)")
        _rewrite(lambda column, value: _unpacked(column, value).encode("utf-8", "surrogatepass"))
        for column in PACKED:
            json_column = column in JSON_COLUMNS
            op.alter_column("cases", column, type_=sa.JSON() if json_column else sa.Text(),
                            existing_nullable=column != "flows",
                            postgresql_using=f"convert_from({column}, 'UTF8')" + ("::json" if json_column else ""))
    else:
        _rewrite(_unpacked)
