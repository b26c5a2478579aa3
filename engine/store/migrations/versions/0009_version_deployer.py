"""model_versions.deployed_by and restored_from: who deployed each version, and which older version a rollback
brought back

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(sa.Column("deployed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("restored_from", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("restored_from")
        batch.drop_column("deployed_by")
