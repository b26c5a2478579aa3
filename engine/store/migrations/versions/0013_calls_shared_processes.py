"""shared_versions: deployed versions of the departments' shared sub-processes that matters call; cases.calls: the
versions a case pinned when it started ({process id: shared_versions.id}; NULL for a case that calls none, so
every existing case keeps its meaning)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("process_id", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("bpmn", sa.LargeBinary(), nullable=False),
        sa.Column("process_yaml", sa.Text(), nullable=True),
        sa.Column("department", sa.String(64), nullable=True),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deployed_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("process_id", "content_hash", name="uq_shared_versions_content"),
        sa.UniqueConstraint("process_id", "version", name="uq_shared_versions_version"),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("calls", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("calls")
    op.drop_table("shared_versions")
