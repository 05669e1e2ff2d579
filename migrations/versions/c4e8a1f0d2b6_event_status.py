"""event status: draft, published, closed, cancelled

Events made in the dashboard start as drafts, seen by organisers only. Every event that
exists already was loaded from its file and is published.

Revision ID: c4e8a1f0d2b6
Revises: 5b1e0c2d7a4f
Create Date: 2026-12-01 23:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e8a1f0d2b6'
down_revision = '5b1e0c2d7a4f'
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    'draft', 'published', 'closed', 'cancelled', name='eventstatus', native_enum=False, length=20
)


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', STATUS, server_default='published', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('status')
