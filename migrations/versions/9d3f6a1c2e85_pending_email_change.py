"""a new email address waits for its own confirmation

A person changing their address from the manage page keeps the old one until the link
sent to the new one is used: the new address waits in `pending_email`, and the link
carries `email_version`, raised on every request and on use.

Revision ID: 9d3f6a1c2e85
Revises: 212e58b2c97b
Create Date: 2026-12-07 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9d3f6a1c2e85'
down_revision = '212e58b2c97b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column('email_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a copy of the table: dropping the
    # old registration table would set every outbox row's and audit entry's reference to
    # it to NULL (ON DELETE SET NULL, with foreign keys on).
    with op.batch_alter_table('registration', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('email_version')
        batch_op.drop_column('pending_email')
