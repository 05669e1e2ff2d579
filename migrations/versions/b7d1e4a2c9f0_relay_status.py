"""relay status: delivery pauses while the mail relay cannot be reached

Revision ID: b7d1e4a2c9f0
Revises: 5e1c0a7d2b94
Create Date: 2026-12-01 22:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d1e4a2c9f0'
down_revision = '5e1c0a7d2b94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'relay_status',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('down_since', sa.DateTime(), nullable=True),
        sa.Column('retry_at', sa.DateTime(), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('relay_status')
