"""announcements: organisers' messages to a segment of an event, sent now or scheduled

Each recipient's copy is an outbox row that points to its announcement.

Revision ID: 212e58b2c97b
Revises: 3bcf30b54302
Create Date: 2026-12-07 19:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '212e58b2c97b'
down_revision = '3bcf30b54302'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('segment', sa.String(length=60), nullable=False),
        sa.Column(
            'state',
            sa.Enum('scheduled', 'sent', 'withdrawn', name='announcementstate',
                    native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('scheduled_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('recipient_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('erased_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['organiser.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_event_id'), ['event_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_announcement_scheduled_at'), ['scheduled_at'], unique=False
        )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_outbox_message_announcement_id'), ['announcement_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_message_announcement_id_announcement'),
            'announcement',
            ['announcement_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_outbox_message_announcement_id_announcement'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_outbox_message_announcement_id'))
        batch_op.drop_column('announcement_id')
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_scheduled_at'))
        batch_op.drop_index(batch_op.f('ix_announcement_event_id'))
    op.drop_table('announcement')
