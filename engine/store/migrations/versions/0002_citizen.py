"""applicant side: case contacts, ratings, lookup failures

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_contacts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('check_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('case_ratings',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('lookup_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lookup_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_lookup_failures_number_at', ['number', 'at'], unique=False)
        batch_op.create_index('ix_lookup_failures_client_at', ['client', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lookup_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_lookup_failures_client_at')
        batch_op.drop_index('ix_lookup_failures_number_at')
        batch_op.drop_index(batch_op.f('ix_lookup_failures_at'))
    op.drop_table('lookup_failures')
    op.drop_table('case_ratings')
    op.drop_table('case_contacts')
