"""the staff's case list: one covering index, so a page and its total read the index, not the case rows
(whose workflow state, stored before `source`, makes every row read cost pages of text)

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LIST = ["source", "started_at", "matter_id", "model_version_id", "status", "number"]


def upgrade() -> None:
    op.create_index("ix_cases_list", "cases", LIST)


def downgrade() -> None:
    op.drop_index("ix_cases_list", "cases")
