"""outbox keeps the built message

The outbox row holds the whole email (RFC 5322 bytes) and its Message-ID instead of
its text, HTML and calendar parts. Rows written before this are built here from their
parts with the standard library, so queued and failed rows can still be sent.

Revision ID: 660302877e33
Revises: 3ce5376fc3fb
Create Date: 2026-11-27 17:48:23.391525

"""
from email import message_from_bytes, policy
from email.message import EmailMessage
from datetime import UTC
from email.utils import format_datetime, make_msgid, parseaddr

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '660302877e33'
down_revision = '3ce5376fc3fb'
branch_labels = None
depends_on = None

outbox = sa.table(
    'outbox_message',
    sa.column('id', sa.Integer),
    sa.column('recipient', sa.String),
    sa.column('subject', sa.String),
    sa.column('body_text', sa.Text),
    sa.column('body_html', sa.Text),
    sa.column('ics', sa.Text),
    sa.column('created_at', sa.DateTime),
    sa.column('message_id', sa.String),
    sa.column('message', sa.LargeBinary),
)


def _build(row, sender: str) -> tuple[str, bytes]:
    mail = EmailMessage(policy=policy.SMTP)  # CRLF line ends, as smtplib sends bytes as they are
    mail['Subject'] = row.subject
    mail['From'] = sender
    mail['To'] = row.recipient
    mail['Date'] = format_datetime(row.created_at.replace(tzinfo=UTC))
    mail['Message-ID'] = make_msgid(domain=parseaddr(sender)[1].rpartition('@')[2] or 'localhost')
    mail['Auto-Submitted'] = 'auto-generated'
    mail.set_content(row.body_text)
    mail.add_alternative(row.body_html, subtype='html')
    if row.ics:
        mail.add_attachment(
            row.ics.encode('utf-8'), 'text', 'calendar', filename='invitasjon.ics',
            params={'method': 'PUBLISH', 'charset': 'UTF-8'},
        )
    return mail['Message-ID'], mail.as_bytes()


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('message', sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    sender = current_app.config['MAIL_DEFAULT_SENDER']
    for row in connection.execute(sa.select(outbox)).all():
        message_id, message = _build(row, sender)
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(message_id=message_id, message=message)
        )

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('message', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_message_id'), ['message_id'], unique=True)
        batch_op.drop_column('body_html')
        batch_op.drop_column('body_text')
        batch_op.drop_column('ics')


def downgrade():

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ics', sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column('body_text', sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column('body_html', sa.TEXT(), nullable=True))

    connection = op.get_bind()
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.message)).all():
        mail = message_from_bytes(row.message, policy=policy.default)
        text, html = mail.get_body(('plain',)), mail.get_body(('html',))
        ics = next((part for part in mail.iter_attachments()
                    if part.get_content_type() == 'text/calendar'), None)
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(
                body_text=text.get_content() if text else '',
                body_html=html.get_content() if html else '',
                ics=ics.get_content() if ics else None,
            )
        )

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('body_text', existing_type=sa.TEXT(), nullable=False)
        batch_op.alter_column('body_html', existing_type=sa.TEXT(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_outbox_message_message_id'))
        batch_op.drop_column('message')
        batch_op.drop_column('message_id')
