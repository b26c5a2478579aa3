"""open_steps.due_at and the indexes of the worklist's filters and "done by me": due state and due-date order in SQL

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("open_steps") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_open_steps_department_due", "open_steps", ["department", "due_at"])
    op.create_index("ix_step_log_actor_event", "step_log", ["actor", "event", "id"])
    # Steps ready before this revision get their due time from their case's model version now.
    from engine.cases.worklist_query import fill_due_times

    fill_due_times(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_step_log_actor_event", table_name="step_log")
    op.drop_index("ix_open_steps_department_due", table_name="open_steps")
    with op.batch_alter_table("open_steps") as batch:
        batch.drop_column("due_at")
