"""event organiser and contact; calendar sequences

Every email names the event's organiser and how to reach them (`organiser_name`,
`contact_email`, the Reply-To). Calendar files carry a SEQUENCE: the event's part is
raised when its time or place changes, the registration's part when the person is
admitted again or their entry is withdrawn.

Revision ID: 5e1c0a7d2b94
Revises: 5e1f0c2a9b47
Create Date: 2026-12-01 22:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e1c0a7d2b94'
down_revision = '5e1f0c2a9b47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('organiser_name', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('organiser_name')
