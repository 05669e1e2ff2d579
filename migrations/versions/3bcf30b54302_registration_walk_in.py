"""registration walk-in flag: people added at the door without a registration

A walk-in gave their details at the door for contact tracing only: no email address is
needed (`email` is "" when none was given, `email_normalised` always NULL, so it never
collides with a sign-up), and no email is ever written to them. Every row that exists
already was a sign-up.

Revision ID: 3bcf30b54302
Revises: 6f025184e4e1
Create Date: 2026-12-07 19:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3bcf30b54302'
down_revision = '6f025184e4e1'
branch_labels = None
depends_on = None


# Not batch mode, either way: on SQLite a batch copies the table and drops the old one,
# and with foreign keys on that drop nulls every outbox row's and audit entry's link to a
# registration (ON DELETE SET NULL). SQLite adds a column with a constant default, and
# (3.35+) drops one, in place, as PostgreSQL does.


def upgrade():
    op.add_column(
        'registration',
        sa.Column('walk_in', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.drop_column('registration', 'walk_in')
