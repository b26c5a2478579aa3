"""a clerk's "done by me" reads a partial index of the completed rows, (actor, id), instead of (actor, event, id)
over every row: the event is not repeated in each entry and the other events are not indexed

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

DONE = sa.text("event = 'completed'")


def upgrade() -> None:
    op.drop_index("ix_step_log_actor_event", table_name="step_log")
    op.create_index("ix_step_log_done", "step_log", ["actor", "id"], sqlite_where=DONE, postgresql_where=DONE)


def downgrade() -> None:
    op.drop_index("ix_step_log_done", table_name="step_log")
    op.create_index("ix_step_log_actor_event", "step_log", ["actor", "event", "id"])
