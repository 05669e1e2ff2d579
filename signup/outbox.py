"""The transactional outbox: emails are rows written with the change that causes them.

`enqueue` adds a row to the caller's transaction; nothing is sent unless that commits.
`deliver_due` sends due rows over one reused SMTP connection, marking each as it goes;
a failure is retried with backoff, and rows that keep failing stay visible as failed.
Several senders (web workers, schedulers) may run at once: each claims rows with a
short lease before sending, renewed as it sends, so a row goes out once, and rows held by
a sender that died are free again soon after.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
from datetime import timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import or_, select, update

from . import messages
from .clock import now
from .extensions import db
from .models import MessageState, OutboxMessage, Registration

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: A claim lasts this many SMTP timeouts, and is renewed with every row sent.
LEASE_TIMEOUTS = 10
BATCH_SIZE = 200
WAKE_FLAG = "outbox_wake"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def claim_lease() -> timedelta:
    """How long a claim holds rows unless renewed: a few slow sends, not minutes."""
    return timedelta(seconds=LEASE_TIMEOUTS * current_app.config.get("MAIL_TIMEOUT", 10))


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


def _claim(limit: int) -> tuple[str, list[int]]:
    """Lease up to `limit` due rows to this sender; returns the lease token and row ids."""
    token = secrets.token_hex(8)
    moment = now()
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
        return token, []
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(due),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
        )
        .values(claimed_until=moment + claim_lease(), claim_token=token)
    )
    db.session.commit()
    claimed = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    return token, list(claimed)


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


def _still_claimed(token: str):
    return (
        OutboxMessage.claim_token == token,
        OutboxMessage.claimed_until.is_not(None),
        OutboxMessage.state.in_((MessageState.QUEUED, MessageState.RETRYING)),
    )


def _mark_sent(row: OutboxMessage, token: str) -> None:
    """Mark `row` sent; once a quarter of the lease is used, renew it on the rest of the claim.

    Renewing only then (not after every row) keeps a batch from rewriting all its
    remaining rows per message, while the lease stays short for crash recovery.
    """
    lease_left = row.claimed_until - now()
    row.state = MessageState.SENT
    row.sent_at = now()
    row.attempts += 1
    row.claimed_until = None
    row.last_error = None
    if lease_left >= claim_lease() * 3 / 4:
        db.session.commit()
        return
    db.session.flush()
    db.session.execute(
        update(OutboxMessage)
        .where(*_still_claimed(token))
        .values(claimed_until=now() + claim_lease())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _mark_failed(row: OutboxMessage, error: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:1000]
    row.claimed_until = None
    if row.attempts >= MAX_ATTEMPTS:
        row.state = MessageState.FAILED
    else:
        row.state = MessageState.RETRYING
        row.next_attempt_at = now() + backoff(row.attempts)
    db.session.commit()
    log.warning(
        "outbox message %s failed (attempt %s): %s", row.id, row.attempts, type(error).__name__
    )


def _relay_unreachable(error: Exception) -> bool:
    """A network failure, not the relay's answer to this one message."""
    if isinstance(error, smtplib.SMTPConnectError):
        return True
    return not isinstance(error, smtplib.SMTPResponseException)


def _postpone_rest(token: str, failed: OutboxMessage) -> None:
    """The relay is down: the rest of the claim waits for the failed row's retry, untried."""
    retry_at = failed.next_attempt_at if failed.state == MessageState.RETRYING else None
    db.session.execute(
        update(OutboxMessage)
        .where(*_still_claimed(token), OutboxMessage.id != failed.id)
        .values(next_attempt_at=retry_at or now() + backoff(1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _release(token: str) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claim_token == token, OutboxMessage.claimed_until.is_not(None))
        .values(claimed_until=None)
    )
    db.session.commit()


def deliver_due(limit: int = BATCH_SIZE) -> int:
    """Send due outbox rows over one SMTP connection; returns how many went out."""
    token, claimed = _claim(limit)
    if not claimed:
        return 0
    sent = 0
    connection: TimeoutConnection | None = None
    try:
        for row_id in claimed:
            row = db.session.get(OutboxMessage, row_id)
            if row is None or row.claim_token != token or row.state == MessageState.SENT:
                continue
            if row.claimed_until is None or row.claimed_until - now() < claim_lease() / 2:
                # Too little of our lease is left for a slow send to finish inside it:
                # another sender may claim the rest once it runs out.
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
                    if _relay_unreachable(error):
                        # Try the relay again when the failed row is retried, not at every
                        # wake-up with the next row.
                        _postpone_rest(token, row)
                    break
                continue
            _mark_sent(row, token)
            sent += 1
    finally:
        if connection is not None and connection.host is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.host.quit()
            connection.host.close()
        _release(token)
    return sent
