"""drafts and design_log: the modeler's saved drafts (one per matter variant) and the log of every draft save,
discard and deploy, with who and when (issue #12 items 5 and 6)

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("matter_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("bpmn", sa.LargeBinary(), nullable=False),
        sa.Column("matter_yaml", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.UniqueConstraint("matter_id", "variant", name="uq_drafts_matter_variant"),
    )
    op.create_table(
        "design_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("matter_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=True),
    )
    op.create_index("ix_design_log_matter", "design_log", ["matter_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_design_log_matter", table_name="design_log")
    op.drop_table("design_log")
    op.drop_table("drafts")
