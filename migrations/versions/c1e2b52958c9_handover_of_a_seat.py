"""a seat handed to a colleague: the handover table (and the state `transferred`)

Registration states are stored as plain strings with no CHECK constraint, so the new
state needs no change to the registration table.

Revision ID: c1e2b52958c9
Revises: 5d1e9a3c7b40
Create Date: 2026-12-07 19:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c1e2b52958c9'
down_revision = '5d1e9a3c7b40'
branch_labels = None
depends_on = None

STATE = sa.Enum(
    'pending', 'awaiting_approval', 'accepted', 'lapsed', 'withdrawn', 'refused',
    name='handoverstate', native_enum=False, length=20,
)


def upgrade():
    op.create_table(
        'handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('giver_id', sa.Integer(), nullable=False),
        sa.Column('taker_id', sa.Integer(), nullable=True),
        sa.Column('colleague_name', sa.String(length=200), nullable=False),
        sa.Column('colleague_email', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('needs_approval', sa.Boolean(), nullable=False),
        sa.Column('state', STATE, nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['giver_id'], ['registration.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['taker_id'], ['registration.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index('ix_handover_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_handover_giver_id', ['giver_id'], unique=False)
        batch_op.create_index('ix_handover_state_expires', ['state', 'expires_at'], unique=False)


def downgrade():
    op.drop_table('handover')
