"""cases.source and case_summaries: one row per finished case, the source of every measured metric

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="real"))
    op.create_table(
        "case_summaries",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("matter_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("model_version_id", sa.Integer(), sa.ForeignKey("model_versions.id"), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("elapsed_hours", sa.Float(), nullable=False),
        sa.Column("elapsed_workdays", sa.Integer(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("handoffs", sa.Integer(), nullable=False),
        sa.Column("time_limit_days", sa.Float(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
    )
    op.create_index("ix_case_summaries_matter_variant_source", "case_summaries",
                    ["matter_id", "variant", "source", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_case_summaries_matter_variant_source", "case_summaries")
    op.drop_table("case_summaries")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("source")
