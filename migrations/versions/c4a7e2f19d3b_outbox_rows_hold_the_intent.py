"""outbox rows hold the intent; the message is built after commit

A row is written in the transaction with the email's intent (`context`: the facts of
that moment and values such as a waitlist position) and its Message-ID; its subject and
bytes are built after the commit, so both are NULL until then. Rows already built stay
as they are (no context needed: they are sent as built).

Downgrading needs every row built: an older version cannot build an intent. It stops
with a message while any row is not, rather than lose an email.

Revision ID: c4a7e2f19d3b
Revises: c4a7e2f91d3b
Create Date: 2026-12-01 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a7e2f19d3b'
down_revision = 'c4a7e2f91d3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column('message', existing_type=sa.LargeBinary(), nullable=True)


def downgrade():
    unbuilt = op.get_bind().scalar(
        sa.text('SELECT count(*) FROM outbox_message WHERE message IS NULL')
    )
    if unbuilt:
        raise RuntimeError(
            f'{unbuilt} outbox message(s) are not built yet: let the app or `flask scheduler`'
            ' build and send them (or delete them) before downgrading'
        )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column('context')
