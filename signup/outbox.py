"""The transactional outbox: emails are rows written with the change that causes them.

`enqueue` adds a row to the caller's transaction; nothing is sent unless that commits.
`deliver_due` sends due rows over one reused SMTP connection, marking each as it goes;
a failure is retried with backoff, and rows that keep failing stay visible as failed.
Several senders (web workers, schedulers) may run at once: each claims rows with a
lease before sending, so a row goes out once.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import or_, select, update

from . import messages
from .clock import now
from .extensions import db
from .models import MessageState, OutboxMessage, Registration

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_LEASE = timedelta(minutes=2)
BATCH_SIZE = 200
WAKE_FLAG = "outbox_wake"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(kind: str, registration: Registration, **context) -> OutboxMessage:
    """Render `kind` for `registration` and add it to the current transaction."""
    rendered = messages.render(kind, registration, **context)
    row = OutboxMessage(
        event_id=registration.event_id,
        registration_id=registration.id,
        kind=kind,
        recipient=registration.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        ics=rendered.ics,
        state=MessageState.QUEUED,
        next_attempt_at=now(),
    )
    db.session.add(row)
    db.session.info[WAKE_FLAG] = True
    return row


def requeue(message_id: int) -> None:
    """Send a failed message again (an organiser's "send again")."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=MessageState.QUEUED, next_attempt_at=now(), claimed_until=None)
    )
    db.session.info[WAKE_FLAG] = True


class TimeoutConnection(Connection):
    """Flask-Mail's connection, with a socket timeout so a stuck relay cannot hang us."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        state = self.mail
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        try:
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


def _claim(limit: int) -> tuple[str, datetime, list[int]]:
    """Lease up to `limit` due rows to this sender; returns the token, lease end and row ids."""
    token = secrets.token_hex(8)
    moment = now()
    lease_end = moment + CLAIM_LEASE
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state.in_((MessageState.QUEUED, MessageState.RETRYING)),
            OutboxMessage.next_attempt_at <= moment,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    if not due:
        db.session.rollback()
        return token, lease_end, []
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(due),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .values(claimed_until=lease_end, claim_token=token)
    )
    db.session.commit()
    return token, lease_end, list(due)


#: What sending needs of a row, read in one query as plain tuples: marking one row sent
#: commits, and ORM objects would then be re-read one by one.
_SENDING_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.body_text,
    OutboxMessage.body_html,
    OutboxMessage.ics,
    OutboxMessage.attempts,
)


def _claimed_rows(token: str) -> list:
    rows = db.session.execute(
        select(*_SENDING_COLUMNS)
        .where(OutboxMessage.claim_token == token, OutboxMessage.state != MessageState.SENT)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    db.session.rollback()  # end the read, so a long send holds no SQLite snapshot
    return rows


def _as_mail(row: OutboxMessage) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    message.extra_headers = {"X-Outbox-Id": str(row.id), "Auto-Submitted": "auto-generated"}
    if row.ics:
        message.attach("invitasjon.ics", "text/calendar; method=PUBLISH; charset=UTF-8", row.ics)
    return message


def _mark_sent(row) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            state=MessageState.SENT,
            sent_at=now(),
            attempts=row.attempts + 1,
            claimed_until=None,
            last_error=None,
        )
    )
    db.session.commit()


def _mark_failed(row, error: Exception) -> None:
    attempts = row.attempts + 1
    values = {
        "attempts": attempts,
        "last_error": f"{type(error).__name__}: {error}"[:1000],
        "claimed_until": None,
    }
    if attempts >= MAX_ATTEMPTS:
        values["state"] = MessageState.FAILED
    else:
        values["state"] = MessageState.RETRYING
        values["next_attempt_at"] = now() + backoff(attempts)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))
    db.session.commit()
    log.warning("outbox message %s failed (attempt %s): %s", row.id, attempts, type(error).__name__)


def _release(token: str) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claim_token == token, OutboxMessage.claimed_until.is_not(None))
        .values(claimed_until=None)
    )
    db.session.commit()


def deliver_due(limit: int = BATCH_SIZE) -> int:
    """Send due outbox rows over one SMTP connection; returns how many went out."""
    token, lease_end, claimed = _claim(limit)
    if not claimed:
        return 0
    sent = 0
    connection: TimeoutConnection | None = None
    try:
        for row in _claimed_rows(token):
            if lease_end <= now():
                # Our lease ran out (a very slow relay): another sender may own the rest.
                break
            message = _as_mail(row)
            try:
                if connection is None:
                    connection = TimeoutConnection(current_app.extensions["mail"])
                    connection.__enter__()
                connection.send(message)
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                _mark_failed(row, error)
                if not isinstance(error, smtplib.SMTPRecipientsRefused):
                    # The relay itself is the problem: keep the rest for the next run.
                    break
                continue
            _mark_sent(row)
            sent += 1
    finally:
        if connection is not None and connection.host is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.host.quit()
            connection.host.close()
        _release(token)
    return sent
