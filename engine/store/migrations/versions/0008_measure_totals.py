"""finished_steps and the measure_* running totals: the measured comparison at scale without scanning the log

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None



def _key() -> list[sa.Column]:
    return [sa.Column("matter_id", sa.String(length=64), primary_key=True),
            sa.Column("variant", sa.String(length=32), primary_key=True),
            sa.Column("source", sa.String(length=16), primary_key=True)]


def upgrade() -> None:
    op.create_table(
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
    op.create_index("ix_case_summaries_elapsed", "case_summaries", ["matter_id", "variant", "source", "elapsed_hours"])
    op.create_index("ix_case_summaries_workdays", "case_summaries",
                    ["matter_id", "variant", "source", "status", "elapsed_workdays"])
    op.create_table(
        "measure_days", *_key(),
        sa.Column("day", sa.Integer(), primary_key=True),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ("cases", "completed", "steps", "trips", "handoffs", "on_time", "judged")),
    )
    op.create_table(
        "measure_paths", *_key(),
        sa.Column("path_key", sa.String(length=40), primary_key=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
    )
    op.create_table(
        "measure_steps", *_key(),
        sa.Column("step_id", sa.String(length=255), primary_key=True),
        sa.Column("step_name", sa.String(length=255), primary_key=True),
        sa.Column("department", sa.String(length=64), primary_key=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("offset_hours", sa.Float(), nullable=False),
        sa.Column("working_hours", sa.Float(), nullable=False),
    )
    op.create_table(
        "measure_buckets", *_key(),
        sa.Column("series", sa.String(length=255), primary_key=True),
        sa.Column("measure", sa.String(length=16), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
    )
    # Cases that finished before this revision are counted by 0018, which fills finished_steps and the totals
    # with the code of today (this revision's finished_steps is not today's); the engine adds the others as they end.


def downgrade() -> None:
    for table in ("measure_buckets", "measure_steps", "measure_paths", "measure_days"):
        op.drop_table(table)
    op.drop_index("ix_case_summaries_workdays", "case_summaries")
    op.drop_index("ix_case_summaries_elapsed", "case_summaries")
    op.drop_table("finished_steps")
