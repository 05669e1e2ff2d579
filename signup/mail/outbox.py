"""The transactional outbox: emails are rows written with the change that causes them.

`enqueue` adds a row holding the email's intent (kind, registration, the facts of the
moment, a Message-ID) to the caller's transaction; nothing is sent unless that commits,
and nothing is rendered there (the seat lock may be held). After the commit, the first
sender to see the row builds it once (compose.py: rendered, made into bytes by
Flask-Mail) and keeps the bytes in it; every attempt sends those same bytes, dated anew.
`deliver_due` builds what was written, then sends due rows' bytes over one reused SMTP
connection (`relay.Link`), marking each as it goes; a temporary refusal is retried
with backoff, a permanent one (or the last attempt) leaves the row failed and visible,
and while the relay cannot be reached delivery pauses without spending any row's
attempts. Several senders (web workers, schedulers) may run at once: each claims rows
with a short lease before building or sending, renewed as it sends, so a row goes out
once, and rows held by a sender that died are free again soon after.

A sender's writes survive a dropped database connection: each is done again on a fresh
connection (they are idempotent), and a row the relay accepted whose "sent" mark could
not be written at all is marked first thing in the process's next run, never sent again.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection as DbConnection
from sqlalchemy import Engine, Row, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..clock import now
from ..extensions import db
from ..models import Event, MessageState, OutboxMessage, Registration
from . import compose, relay

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: A claim lasts this many SMTP timeouts, and is renewed as rows are sent.
LEASE_TIMEOUTS = 10
BATCH_SIZE = 200
#: A write lost with its database connection is done again on a fresh one, this many
#: times in all, pausing 0.05 s, 0.1 s, 0.2 s, ... between tries.
WRITE_TRIES = 6
WRITE_RETRY_PAUSE = 0.05
WAKE_FLAG = "outbox_wake"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def claim_lease() -> timedelta:
    """How long a claim holds rows unless renewed: a few slow sends, not minutes."""
    return timedelta(seconds=LEASE_TIMEOUTS * current_app.config.get("MAIL_TIMEOUT", 10))


def enqueue(kind: str, registration: Registration, **values) -> OutboxMessage | None:
    """Write the intent to send `kind` to `registration` into the caller's transaction.

    Nothing is rendered here (this may run inside the seat lock): the row keeps the facts
    of this moment the email states, with `values` (a waitlist position, the organiser's
    reason), and the email is built from them after the commit. A walk-in gets nothing
    (None): they gave their details at the door for contact tracing only.
    """
    if registration.walk_in:
        return None
    context = {"facts": compose.facts(registration), "values": values}
    return _write(kind, context, registration.email, registration.event_id, registration.id)


def enqueue_many(
    kind: str, registrations: list[Registration], announcement_id: int | None = None, **values
) -> int:
    """Write the intent to send `kind` to each of `registrations`, as one bulk insert.

    As `enqueue` for each, without an object per row: a message to a thousand people is
    written at once. A copy of an organiser's message names it (`announcement_id`), in
    its own column and among the values the email is built from; returns how many.
    """
    if not registrations:
        return 0
    if announcement_id is not None:
        values["announcement"] = announcement_id
    moment = now()
    rows = [
        {
            "event_id": registration.event_id,
            "registration_id": registration.id,
            "announcement_id": announcement_id,
            "kind": kind,
            "recipient": registration.email,
            "context": {"facts": compose.facts(registration), "values": values},
            "message_id": compose.new_message_id(),
            "state": MessageState.QUEUED,
            "attempts": 0,
            "created_at": moment,
            "next_attempt_at": moment,
        }
        for registration in registrations
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.info[WAKE_FLAG] = True
    return len(rows)


def enqueue_to(kind: str, registration: Registration, address: str, **values) -> OutboxMessage:
    """Like `enqueue`, to `address` rather than the registration's own (a new one to confirm)."""
    context = {"facts": compose.facts(registration), "values": values}
    return _write(kind, context, address, registration.event_id, registration.id)


def enqueue_to_address(
    kind: str, event: Event, address: str, language: str, **values
) -> OutboxMessage:
    """Write the intent to send `kind` about `event` to an address with no registration."""
    context = {"facts": compose.address_facts(language), "values": values}
    return _write(kind, context, address, event.id, None)


def enqueue_about_handover(kind: str, handover) -> OutboxMessage:
    """Write the intent to send `kind` to the colleague a seat is handed to.

    The row names the handover, not the colleague: the email is built from it after commit.
    """
    context = {
        "facts": compose.address_facts(handover.language),
        "values": {"handover": handover.id},
    }
    return _write(kind, context, handover.colleague_email, handover.event_id, None)


def enqueue_to_organiser(kind: str, address: str, language: str, **values) -> OutboxMessage:
    """Write the intent to send `kind` about an organiser account (`values`: its link)."""
    context = {"facts": compose.address_facts(language), "values": values}
    return _write(kind, context, address, None, None)


def _write(
    kind: str, context: dict, recipient: str, event_id: int | None, registration_id: int | None
) -> OutboxMessage:
    row = OutboxMessage(
        event_id=event_id,
        registration_id=registration_id,
        kind=kind,
        recipient=recipient,
        context=context,
        message_id=compose.new_message_id(),
        state=MessageState.QUEUED,
        next_attempt_at=now(),
    )
    db.session.add(row)
    db.session.info[WAKE_FLAG] = True
    return row


def requeue(message_id: int) -> None:
    """Send a failed message again (an organiser's "send again")."""
    requeue_failed(OutboxMessage.id == message_id)


def requeue_failed(*conditions) -> int:
    """Send again every failed message matching `conditions`, with its attempts anew.

    The message keeps its Message-ID; it is dated when it goes out. Returns how many.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == MessageState.FAILED, *conditions)
        .values(state=MessageState.QUEUED, attempts=0, next_attempt_at=now(), claimed_until=None)
    )
    db.session.info[WAKE_FLAG] = True
    return result.rowcount


def failed_count(event_id: int) -> int:
    """How many of an event's messages have failed for good."""
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.event_id == event_id, OutboxMessage.state == MessageState.FAILED)
    )


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


def _unclaimed(moment: datetime):
    """SQL condition: a row waiting to be built or sent, which no live claim holds."""
    return (
        OutboxMessage.state.in_(_CLAIMABLE),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
    )


def _due_now(moment: datetime):
    """SQL condition: a built row to send now, which no live claim holds."""
    return (
        *_unclaimed(moment),
        OutboxMessage.next_attempt_at <= moment,
        OutboxMessage.message.is_not(None),
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
            OutboxMessage.subject,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.id.in_(due), OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    database.rollback()
    return _Claim(token, lease_until, list(rows))


class _Writer:
    """A sender's database connection; a write lost with it is done again on a fresh one.

    Every write of a sender sets fixed values on rows chosen by id (and claim token), so
    doing one again after a lost reply to its commit changes nothing more.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection: DbConnection | None = None

    @property
    def connection(self) -> DbConnection:
        """The current connection, opened when needed (reads use it as it is)."""
        if self._connection is None:
            self._connection = self.engine.connect()
        return self._connection

    def write(self, *steps) -> None:
        """Run `steps` (statements, or (statement, parameters)) and commit, as one write."""
        for attempt in range(WRITE_TRIES):
            try:
                for step in steps:
                    statement, params = step if isinstance(step, tuple) else (step, None)
                    self.connection.execute(statement, params)
                self.connection.commit()
                return
            except OperationalError:
                # The connection was dropped (or, on SQLite, the file stayed locked past
                # the busy timeout): forget it and write again on a fresh one.
                self.close()
                if attempt + 1 == WRITE_TRIES:
                    raise
                log.warning("outbox write lost with its database connection; trying again")
                time.sleep(WRITE_RETRY_PAUSE * 2**attempt)

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.close()
            self._connection = None


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
#: Rows the relay accepted whose "sent" mark could not be written: id -> mark parameters.
_accepted_unmarked: dict[int, dict] = {}
_accepted_lock = threading.Lock()


def _mark_sent(database: _Writer, claim: _Claim, row: Row) -> None:
    """Mark `row` sent; once a quarter of the lease is used, renew it on the rest of the claim.

    Renewing only then (not after every row) keeps a batch from rewriting all its
    remaining rows per message, while the lease stays short for crash recovery.
    """
    moment = now()
    mark = {"row_id": row.id, "token": claim.token, "at": moment, "attempts": row.attempts + 1}
    steps = [(_MARK_SENT, mark)]
    claim.settled += 1  # first: a lost mark must not release the row for another sender
    lease_until = claim.lease_until
    if lease_until - moment < claim_lease() * 3 / 4 and claim.settled < len(claim.rows):
        lease_until = moment + claim_lease()
        steps.append(update(OutboxMessage).where(*claim.open()).values(claimed_until=lease_until))
    try:
        database.write(*steps)
    except OperationalError:
        with _accepted_lock:
            _accepted_unmarked[row.id] = mark
        raise
    claim.lease_until = lease_until


def _mark_accepted(database: _Writer) -> None:
    """Mark sent the rows this process sent whose mark was lost, before claiming any rows.

    By id alone: the claim may have lapsed meanwhile, and the relay has the message.
    """
    with _accepted_lock:
        marks = list(_accepted_unmarked.values())
    if not marks:
        return
    database.write(
        *(
            (
                update(_outbox)
                .where(_outbox.c.id == mark["row_id"], _outbox.c.state.in_(_CLAIMABLE))
                .values(state=MessageState.SENT, sent_at=mark["at"], attempts=mark["attempts"])
                .values(claimed_until=None, last_error=None),
                None,
            )
            for mark in marks
        )
    )
    with _accepted_lock:
        for mark in marks:
            _accepted_unmarked.pop(mark["row_id"], None)


def _mark_failed(database: _Writer, claim: _Claim, row: Row, error: Exception) -> None:
    """Record the relay's refusal of `row`: for good on a 5xx or the last attempt, else retry."""
    attempts = row.attempts + 1
    for_good = relay.refused_for_good(error) or attempts >= MAX_ATTEMPTS
    database.write(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == claim.token)
        .values(
            attempts=attempts,
            last_error=relay.describe(error)[:1000],
            claimed_until=None,
            state=MessageState.FAILED if for_good else MessageState.RETRYING,
            **({} if for_good else {"next_attempt_at": now() + backoff(attempts)}),
        )
    )
    claim.settled += 1
    log.warning(
        "outbox message %s %s (attempt %s): %s",
        row.id,
        "failed for good" if for_good else "failed",
        attempts,
        relay.describe(error, with_text=False),
    )


def _release(database: _Writer, claim: _Claim) -> None:
    """Give back the rows not settled; no write at all when every row was."""
    if claim.settled < len(claim.rows):
        database.write(update(OutboxMessage).where(*claim.open()).values(claimed_until=None))


def deliver_due(limit: int = BATCH_SIZE, stop: threading.Event | None = None) -> int:
    """Send due outbox rows over one SMTP connection; returns how many went out.

    It works on a connection of its own, outside the session: each sent row is one
    UPDATE and commit, without the session's bookkeeping. On SQLite every write waits
    for the one write lock, so a sender writes only what it must. While the relay
    cannot be reached, delivery pauses and nothing is claimed.

    Once `stop` is set (the process is shutting down), it finishes the email in hand and
    gives the rest of its rows back at once, for the next run or another sender.
    """
    stop = stop or threading.Event()
    database = _Writer(db.engine)
    try:
        _mark_accepted(database)
        # Built first, whether or not the relay answers: an email states the facts of
        # the moment its row was written, and is built soon after, not when it can go.
        _build_written(database, limit, stop)
        health = relay.read(database.connection)
        if stop.is_set() or health.paused(now()):
            return 0
        claim = _claim(database.connection, _due_ids(database.connection, limit))
        if not claim.rows:
            return 0
        try:
            return _send(database, claim, health, stop)
        finally:
            _release(database, claim)
    finally:
        database.close()


_BUILT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row_id"), _outbox.c.claim_token == bindparam("token"))
    .values(subject=bindparam("built_subject"), message=bindparam("built"), claimed_until=None)
)
_UNBUILDABLE = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row_id"), _outbox.c.claim_token == bindparam("token"))
    .values(state=MessageState.FAILED, last_error=bindparam("reason"), claimed_until=None)
)
_NOT_BUILT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row_id"), _outbox.c.claim_token == bindparam("token"))
    .values(claimed_until=None)
)


def build_written(limit: int = BATCH_SIZE) -> int:
    """Build the emails of rows written as intents, without sending; returns how many.

    `deliver_due` does this first itself; this is for a caller that wants them built now.
    """
    database = _Writer(db.engine)
    try:
        return _build_written(database, limit)
    finally:
        database.close()


def _build_written(database: _Writer, limit: int, stop: threading.Event | None = None) -> int:
    """Build the emails of rows written as intents, and keep their bytes; returns how many.

    The rows are leased while they are built, so two senders never build one row; a row
    that cannot be built (its registration erased meanwhile) fails with the reason. Rows
    left unbuilt when `stop` is set are given back.
    """
    token, rows = _lease_unbuilt(database, limit)
    if not rows:
        return 0
    built = compose.build_rows(rows, stop)
    done = [
        {"row_id": row_id, "token": token, "built": mail.message, "built_subject": mail.subject}
        for row_id, mail in built.items()
        if isinstance(mail, compose.Built)
    ]
    failed = [
        {"row_id": row_id, "token": token, "reason": str(reason)}
        for row_id, reason in built.items()
        if isinstance(reason, compose.Unbuildable)
    ]
    left = [{"row_id": row.id, "token": token} for row in rows if row.id not in built]
    database.write(
        *((_BUILT, done),) if done else (),
        *((_UNBUILDABLE, failed),) if failed else (),
        *((_NOT_BUILT, left),) if left else (),
    )
    for reason in failed:
        log.warning("outbox message %s not built: %s", reason["row_id"], reason["reason"])
    return len(done)


def _lease_unbuilt(database: _Writer, limit: int) -> tuple[str, list[Row]]:
    """Lease to this sender up to `limit` rows not built yet: (lease token, the rows)."""
    moment = now()
    waiting = database.connection.scalars(
        select(OutboxMessage.id)
        .where(*_unclaimed(moment), OutboxMessage.message.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    database.connection.rollback()
    token = secrets.token_hex(8)
    if not waiting:
        return token, []
    database.write(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(waiting), *_unclaimed(moment), OutboxMessage.message.is_(None))
        .values(claimed_until=moment + claim_lease(), claim_token=token)
    )
    # The write may have gone through on a fresh connection: read on the current one.
    rows = database.connection.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.registration_id,
            OutboxMessage.event_id,
            OutboxMessage.recipient,
            OutboxMessage.message_id,
            OutboxMessage.context,
        )
        .where(OutboxMessage.id.in_(waiting), OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.id)  # built in the order they were written
    ).all()
    database.connection.rollback()
    return token, list(rows)


def _send(database: _Writer, claim: _Claim, health: relay.Health, stop: threading.Event) -> int:
    """Send the claim's rows in order; stop when the lease runs short, the relay is gone
    or the process is stopping."""
    sent = 0
    link = relay.Link(database, health)
    try:
        for row in claim.rows:
            if stop.is_set():
                break
            if claim.lease_until - now() < claim_lease() / 2:
                # Too little of our lease is left for a slow send to finish inside it:
                # another sender may claim the rest once it runs out.
                break
            error = None
            for _connection in range(2):  # a connection that broke gets one fresh one
                if not link.open():
                    return sent  # paused: the rest is released untried
                try:
                    link.send(row.recipient, row.message, row.subject)
                    error = None
                    break
                except relay.SMTP_ERRORS as failure:
                    error = failure
                    if relay.answers_the_message(failure):
                        break  # about this message; the connection is fine
                    link.close()
                    if _connection == 0:
                        # The relay may have kept the message before the connection broke
                        # (a timeout after the data): sending again may deliver it twice.
                        log.warning(
                            "outbox message %s: connection lost during the send (%s); "
                            "sending again on a fresh one",
                            row.id,
                            type(failure).__name__,
                        )
            if error is not None:
                _mark_failed(database, claim, row, error)
                continue
            _mark_sent(database, claim, row)
            sent += 1
    finally:
        link.close()
    return sent
