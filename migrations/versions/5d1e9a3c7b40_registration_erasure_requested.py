"""a registration records when its person asked for their data to be erased

After the meeting the attendee list is kept for contact tracing; a request made then is
recorded here, and the retention sweep erases the data when the period ends.

Revision ID: 5d1e9a3c7b40
Revises: c4a7e2f19d3b
Create Date: 2026-12-07 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d1e9a3c7b40'
down_revision = 'c4a7e2f19d3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erasure_requested_at', sa.DateTime(), nullable=True))


def downgrade():
    # In place on both databases (SQLite since 3.35): a batch copy of the table would null
    # every outbox row's and audit entry's link to a registration (ON DELETE SET NULL).
    op.drop_column('registration', 'erasure_requested_at')
