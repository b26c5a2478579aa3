"""the case list of one region (a clerk's, an auditor's below the root, an admin's region filter): the covering
index of 0011 with the region first, so such a page and its total read the index, not the case rows

Revision ID: 0017
Revises: 0016
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LIST = ["region", "source", "started_at", "matter_id", "model_version_id", "status", "number"]


def upgrade() -> None:
    op.create_index("ix_cases_region_list", "cases", LIST)


def downgrade() -> None:
    op.drop_index("ix_cases_region_list", "cases")
