"""organiser roles, event grants, link numbers and two-step sign-in

Existing accounts become organisers of all events (the administrators).

Revision ID: c4a7e2f91d3b
Revises: c4e8a1f0d2b6
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2f91d3b'
down_revision = 'c4e8a1f0d2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), server_default='organiser', nullable=False))
        batch_op.add_column(sa.Column('all_events', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('link_number', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('recovery_codes', sa.JSON(), server_default='[]', nullable=False))
    op.create_table(
        'organiser_event',
        sa.Column('organiser_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organiser_id', 'event_id'),
    )
    with op.batch_alter_table('organiser_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organiser_event_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('organiser_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organiser_event_event_id'))
    op.drop_table('organiser_event')
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.drop_column('recovery_codes')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('link_number')
        batch_op.drop_column('all_events')
        batch_op.drop_column('role')
