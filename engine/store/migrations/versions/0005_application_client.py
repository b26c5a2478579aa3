"""case_contacts.client and applied_at: applications are limited per client address

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_contacts") as batch:
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_case_contacts_client", "case_contacts", ["client"])
    op.create_index("ix_case_contacts_applied_at", "case_contacts", ["applied_at"])


def downgrade() -> None:
    op.drop_index("ix_case_contacts_applied_at", "case_contacts")
    op.drop_index("ix_case_contacts_client", "case_contacts")
    with op.batch_alter_table("case_contacts") as batch:
        batch.drop_column("applied_at")
        batch.drop_column("client")
