"""audit entry names the operator

Command-line actions (event load, capacity, briefing send) are audited with the login
name of whoever ran them; dashboard actions keep naming the organiser account.

Revision ID: eb2b04e6df24
Revises: 660302877e33
Create Date: 2026-12-01 22:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'eb2b04e6df24'
down_revision = '660302877e33'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operator', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('operator')
