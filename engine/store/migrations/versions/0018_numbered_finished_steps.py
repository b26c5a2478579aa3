"""finished_steps names its step and its label by number (step_series, step_labels): a `before` case's
sixteen rows and their two value indexes held the matter, variant, source, step id, name and department as
strings, two thirds of their bytes. The rows are remade from the step log, as are the running totals.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("finished_steps")
    op.create_table(
        "step_series",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("matter_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("step_id", sa.String(length=255), nullable=False),
        sa.UniqueConstraint("matter_id", "variant", "source", "step_id", name="uq_step_series"),
    )
    op.create_table(
        "step_labels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("step_name", sa.String(length=255), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("step_name", "department", name="uq_step_labels"),
    )
    op.create_table(
        "finished_steps",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True, autoincrement=False),
        sa.Column("log_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("series", sa.Integer(), sa.ForeignKey("step_series.id"), nullable=False),
        sa.Column("label", sa.Integer(), sa.ForeignKey("step_labels.id"), nullable=False),
        sa.Column("offset_hours", sa.Float(), nullable=False),
        sa.Column("waiting_hours", sa.Float(), nullable=False),
        sa.Column("working_hours", sa.Float(), nullable=False),
    )
    op.create_index("ix_finished_steps_waiting", "finished_steps", ["series", "waiting_hours"])
    op.create_index("ix_finished_steps_working", "finished_steps", ["series", "working_hours"])
    # every finished case counted again, with the code of this revision's tables
    from engine.audit.rollups import rebuild_totals

    rebuild_totals(op.get_bind())


def downgrade() -> None:
    op.drop_table("finished_steps")
    op.drop_table("step_labels")
    op.drop_table("step_series")
    op.create_table(  # 0008's table, empty: `onething audit rebuild` of that code fills it again
        "finished_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("matter_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("step_id", sa.String(length=255), nullable=False),
        sa.Column("step_name", sa.String(length=255), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("offset_hours", sa.Float(), nullable=False),
        sa.Column("waiting_hours", sa.Float(), nullable=False),
        sa.Column("working_hours", sa.Float(), nullable=False),
    )
    op.create_index("ix_finished_steps_case_id", "finished_steps", ["case_id"])
    op.create_index("ix_finished_steps_waiting", "finished_steps",
                    ["matter_id", "variant", "source", "step_id", "waiting_hours"])
    op.create_index("ix_finished_steps_working", "finished_steps",
                    ["matter_id", "variant", "source", "step_id", "working_hours"])
