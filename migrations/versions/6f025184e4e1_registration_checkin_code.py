"""registrations have a short check-in code, unique per event

The code is typed at the door by someone who cannot show the QR code. Registrations made
before get theirs here, derived from the public id as signup/checkin_pass.short_code does
(copied below: migrations import nothing of ours).

Revision ID: 6f025184e4e1
Revises: c1e2b52958c9
Create Date: 2026-12-07 19:00:00.000000

"""
import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6f025184e4e1'
down_revision = 'c1e2b52958c9'
branch_labels = None
depends_on = None

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _short_code(public_id):
    digest = hashlib.blake2b(public_id.encode(), digest_size=8, person=b"checkin-code").digest()
    number = int.from_bytes(digest, "big")
    letters = []
    for _ in range(8):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_code', sa.String(length=8), nullable=True))
    bind = op.get_bind()
    registration = sa.table(
        'registration', sa.column('id', sa.Integer), sa.column('public_id', sa.String),
        sa.column('checkin_code', sa.String),
    )
    rows = bind.execute(sa.select(registration.c.id, registration.c.public_id)).all()
    for row_id, public_id in rows:
        bind.execute(
            registration.update()
            .where(registration.c.id == row_id)
            .values(checkin_code=_short_code(public_id))
        )
    # A unique index, not a constraint: SQLite would copy the table to add a constraint,
    # and dropping the old copy sets the outbox rows' registration to NULL.
    op.create_index(
        'uq_registration_event_checkin_code', 'registration', ['event_id', 'checkin_code'],
        unique=True,
    )


def downgrade():
    op.drop_index('uq_registration_event_checkin_code', table_name='registration')
    # Both databases drop a column in place (SQLite since 3.35): no copy of the table.
    op.execute('ALTER TABLE registration DROP COLUMN checkin_code')
