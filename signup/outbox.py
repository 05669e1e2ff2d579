"""The transactional outbox: emails are rows written with the change that causes them.

`enqueue` renders the email, builds the whole message (MIME bytes, Message-ID, Date)
and adds it as a row to the caller's transaction; nothing is sent unless that commits.
`deliver_due` sends due rows' bytes over one reused SMTP connection, marking each as it
goes; a failure is retried with backoff, and rows that keep failing stay visible as
failed. Several senders (web workers, schedulers) may run at once: each claims rows with
a short lease before sending, renewed as it sends, so a row goes out once, and rows held
by a sender that died are free again soon after.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.header import Header
from email.policy import compat32
from email.utils import make_msgid, parseaddr

from flask import current_app
from flask_mail import Connection, Message, sanitize_address
from sqlalchemy import Connection as DbConnection
from sqlalchemy import Row, bindparam, or_, select, update

from . import messages
from .clock import now
from .extensions import db
from .models import Event, MessageState, OutboxMessage, Registration

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: A claim lasts this many SMTP timeouts, and is renewed as rows are sent.
LEASE_TIMEOUTS = 10
BATCH_SIZE = 200
WAKE_FLAG = "outbox_wake"
ICS_TYPE = "text/calendar; method=PUBLISH; charset=UTF-8"
#: Lines of 8bit text may be at most 998 bytes (RFC 5322 2.1.1), and relays refuse or
#: break longer ones; text with a longer line (a briefing pasted as one paragraph) is
#: sent quoted-printable instead.
MAX_LINE_BYTES = 998
_QUOTED_PRINTABLE = Charset("utf-8")
_QUOTED_PRINTABLE.body_encoding = QP
_CRLF_COMPAT32 = compat32.clone(linesep="\r\n")


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def claim_lease() -> timedelta:
    """How long a claim holds rows unless renewed: a few slow sends, not minutes."""
    return timedelta(seconds=LEASE_TIMEOUTS * current_app.config.get("MAIL_TIMEOUT", 10))


def enqueue(kind: str, registration: Registration, **context) -> OutboxMessage:
    """Render `kind` for `registration`, build the message and add it to the transaction."""
    rendered = messages.render(kind, registration, **context)
    return _queue(kind, rendered, registration.email, registration.event_id, registration.id)


def enqueue_to_address(kind: str, event: Event, address: str, language: str) -> OutboxMessage:
    """Render `kind` for an address with no registration and add it to the transaction."""
    rendered = messages.render_for_address(kind, event, language)
    return _queue(kind, rendered, address, event.id, None)


def _queue(
    kind: str,
    rendered: messages.RenderedEmail,
    recipient: str,
    event_id: int,
    registration_id: int | None,
) -> OutboxMessage:
    mail = _compose(rendered, recipient)
    row = OutboxMessage(
        event_id=event_id,
        registration_id=registration_id,
        kind=kind,
        recipient=recipient,
        subject=rendered.subject,
        message_id=mail.msgId,
        message=mail.as_bytes(),
        state=MessageState.QUEUED,
        next_attempt_at=now(),
    )
    db.session.add(row)
    db.session.info[WAKE_FLAG] = True
    return row


class _Mail(Message):
    """Flask-Mail's message, written out by the standard library's compat32 generator.

    Flask-Mail writes with `policy.SMTP`, whose generator re-parses every header of
    every part: about 2.4 ms of the 2.6 ms an email takes to build, inside the request
    (and the seat lock) that writes it. compat32 writes the same parts in about 1.1 ms.
    It needs the subject as a `Header`: Flask-Mail's pre-encoded one would be folded
    with a leading space.
    """

    def as_bytes(self) -> bytes:
        mime = self._message()
        mime.policy = _CRLF_COMPAT32
        if self.subject:
            mime.replace_header("Subject", Header(self.subject, self.charset or "utf-8"))
        return mime.as_bytes()


def _compose(rendered: messages.RenderedEmail, recipient: str) -> Message:
    """The email as Flask-Mail builds it, dated now, with a Message-ID of the sender's domain."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    mail = _Mail(
        subject=rendered.subject,
        recipients=[recipient],
        body=rendered.text,
        html=rendered.html,
        sender=sender,
        date=now().timestamp(),
        extra_headers={"Auto-Submitted": "auto-generated"},
        charset=_QUOTED_PRINTABLE if _has_long_line(rendered.text, rendered.html) else None,
    )
    mail.msgId = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    if rendered.ics:
        mail.attach("invitasjon.ics", ICS_TYPE, rendered.ics)
    return mail


def requeue(message_id: int) -> None:
    """Send a failed message again (an organiser's "send again")."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=MessageState.QUEUED, next_attempt_at=now(), claimed_until=None)
    )
    db.session.info[WAKE_FLAG] = True


def _has_long_line(*texts: str) -> bool:
    return any(len(line.encode()) > MAX_LINE_BYTES for text in texts for line in text.splitlines())


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


_CLAIMABLE = (MessageState.QUEUED, MessageState.RETRYING)


@dataclass
class _Claim:
    """Rows leased to one sender, in sending order; the first `settled` are sent or failed."""

    token: str
    lease_until: datetime
    rows: list[Row]
    settled: int = 0

    def open(self):
        """SQL condition: rows of this claim not yet settled and still leased to it.

        By id (the primary key), so no statement of a sender scans the outbox.
        """
        return (
            OutboxMessage.id.in_([row.id for row in self.rows[self.settled :]]),
            OutboxMessage.claim_token == self.token,
            OutboxMessage.claimed_until.is_not(None),
            OutboxMessage.state.in_(_CLAIMABLE),
        )


def _due_now(moment: datetime):
    """SQL condition: a row to send now, which no live claim holds."""
    return (
        OutboxMessage.state.in_(_CLAIMABLE),
        OutboxMessage.next_attempt_at <= moment,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
    )


def _due_ids(database: DbConnection, limit: int) -> list[int]:
    """Up to `limit` rows due now, in sending order (read without a lock)."""
    due = database.scalars(
        select(OutboxMessage.id)
        .where(*_due_now(now()))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    database.rollback()
    return list(due)


def _claim(database: DbConnection, due: list[int]) -> _Claim:
    """Lease to this sender those of the `due` rows that are still due now."""
    token = secrets.token_hex(8)
    moment = now()
    lease_until = moment + claim_lease()
    if not due:
        return _Claim(token, lease_until, [])
    # The whole condition again: another sender may have claimed, sent or failed any of
    # these rows since they were read.
    database.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due), *_due_now(moment))
        .values(claimed_until=lease_until, claim_token=token)
    )
    database.commit()
    rows = database.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.message,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.id.in_(due), OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    database.rollback()
    return _Claim(token, lease_until, list(rows))


_outbox = OutboxMessage.__table__
#: Built once: marking a row sent is the one statement delivery runs per message.
_MARK_SENT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row_id"), _outbox.c.claim_token == bindparam("token"))
    .values(
        state=MessageState.SENT,
        sent_at=bindparam("at"),
        attempts=bindparam("attempts"),
        claimed_until=None,
        last_error=None,
    )
)


def _mark_sent(database: DbConnection, claim: _Claim, row: Row) -> None:
    """Mark `row` sent; once a quarter of the lease is used, renew it on the rest of the claim.

    Renewing only then (not after every row) keeps a batch from rewriting all its
    remaining rows per message, while the lease stays short for crash recovery.
    """
    moment = now()
    database.execute(
        _MARK_SENT,
        {"row_id": row.id, "token": claim.token, "at": moment, "attempts": row.attempts + 1},
    )
    claim.settled += 1
    if claim.lease_until - moment < claim_lease() * 3 / 4 and claim.settled < len(claim.rows):
        claim.lease_until = moment + claim_lease()
        database.execute(
            update(OutboxMessage).where(*claim.open()).values(claimed_until=claim.lease_until)
        )
    database.commit()


def _mark_failed(
    database: DbConnection, claim: _Claim, row: Row, error: Exception
) -> datetime | None:
    """Record a failed attempt; returns when the row is tried again (None: failed for good)."""
    attempts = row.attempts + 1
    retry_at = now() + backoff(attempts) if attempts < MAX_ATTEMPTS else None
    database.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == claim.token)
        .values(
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:1000],
            claimed_until=None,
            state=MessageState.RETRYING if retry_at else MessageState.FAILED,
            **({"next_attempt_at": retry_at} if retry_at else {}),
        )
    )
    database.commit()
    claim.settled += 1
    log.warning("outbox message %s failed (attempt %s): %s", row.id, attempts, type(error).__name__)
    return retry_at


def _relay_unreachable(error: Exception) -> bool:
    """A network failure, not the relay's answer to this one message."""
    if isinstance(error, smtplib.SMTPConnectError):
        return True
    return not isinstance(error, smtplib.SMTPResponseException)


def _postpone_rest(database: DbConnection, claim: _Claim, retry_at: datetime | None) -> None:
    """The relay is down: the rest of the claim waits for the failed row's retry, untried."""
    if claim.settled < len(claim.rows):
        database.execute(
            update(OutboxMessage)
            .where(*claim.open())
            .values(next_attempt_at=retry_at or now() + backoff(1))
        )
        database.commit()


def _release(database: DbConnection, claim: _Claim) -> None:
    """Give back the rows not settled; no write at all when every row was."""
    if claim.settled < len(claim.rows):
        database.execute(update(OutboxMessage).where(*claim.open()).values(claimed_until=None))
        database.commit()


def _envelope_address(address: str) -> str:
    """An address as SMTP takes it: a domain in letters like ø goes in its ASCII form."""
    return address if address.isascii() else sanitize_address(address)


def deliver_due(limit: int = BATCH_SIZE) -> int:
    """Send due outbox rows over one SMTP connection; returns how many went out.

    It works on a connection of its own, outside the session: each sent row is one
    UPDATE and commit, without the session's bookkeeping. On SQLite every write waits
    for the one write lock, so a sender writes only what it must.
    """
    with db.engine.connect() as database:
        claim = _claim(database, _due_ids(database, limit))
        if not claim.rows:
            return 0
        try:
            return _send(database, claim)
        finally:
            _release(database, claim)


def _send(database: DbConnection, claim: _Claim) -> int:
    envelope_from = _envelope_address(parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1])
    sent = 0
    smtp: TimeoutConnection | None = None
    try:
        for row in claim.rows:
            if claim.lease_until - now() < claim_lease() / 2:
                # Too little of our lease is left for a slow send to finish inside it:
                # another sender may claim the rest once it runs out.
                break
            try:
                if smtp is None:
                    smtp = TimeoutConnection(current_app.extensions["mail"])
                    smtp.__enter__()
                if smtp.host is not None:  # None: MAIL_SUPPRESS_SEND, as Flask-Mail does
                    # The bytes Flask-Mail built at enqueue, as they are.
                    recipients = [_envelope_address(row.recipient)]
                    smtp.host.sendmail(envelope_from, recipients, row.message)
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                retry_at = _mark_failed(database, claim, row, error)
                if isinstance(error, smtplib.SMTPRecipientsRefused):
                    continue
                if _relay_unreachable(error):
                    # Try the relay again when the failed row is retried, not at every
                    # wake-up with the next row.
                    _postpone_rest(database, claim, retry_at)
                break
            _mark_sent(database, claim, row)
            sent += 1
    finally:
        if smtp is not None and smtp.host is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.host.quit()
            smtp.host.close()
    return sent
