"""the staff's case list: indexes for its default order (newest started first) and for one matter's cases by start

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_started_at", "cases", ["started_at"])
    op.create_index("ix_cases_matter_started", "cases", ["matter_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_matter_started", "cases")
    op.drop_index("ix_cases_started_at", "cases")
