"""cases.external_id: an imported case's id in its source log, once per matter, variant and source

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
        batch.create_unique_constraint("uq_cases_external_id", ["matter_id", "variant", "source", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_external_id", type_="unique")
        batch.drop_column("external_id")
