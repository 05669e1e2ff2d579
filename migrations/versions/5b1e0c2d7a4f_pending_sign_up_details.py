"""pending sign-up details, bound to a link version

A later sign-up under the address of an unconfirmed registration no longer overwrites
its details: they wait in `pending_details` under a new `link_version` until the link
sent for them is used.

Revision ID: 5b1e0c2d7a4f
Revises: b7d1e4a2c9f0
Create Date: 2026-12-01 22:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1e0c2d7a4f'
down_revision = 'b7d1e4a2c9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('link_version', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('pending_details', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('pending_details')
        batch_op.drop_column('link_version')
