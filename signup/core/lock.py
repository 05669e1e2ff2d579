"""Write transactions, and the per-event seat lock every seat decision runs inside.

Each public core function is one transaction: it opens one of these and commits at the
end of the `with` block (or rolls back on an error). Views never open one themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..database import WRITE_LOCK, holding_seat_lock
from ..extensions import db
from ..models import Event


@contextmanager
def seat_lock(event_id: int) -> Iterator[Event]:
    """One write transaction serialised per event; commits on success, rolls back on error.

    SQLite: BEGIN IMMEDIATE (the whole file). PostgreSQL: SELECT ... FOR NO KEY UPDATE on
    the event row. Every seat decision runs inside this, so counts read here stay true
    until the commit. Nothing is rendered inside it (mail/render.py refuses): emails are
    written as intents and built after the commit.
    """
    session = db.session
    started = _clock_if_observed()
    begin_write()
    locked = 0.0
    try:
        with holding_seat_lock():
            # NO KEY UPDATE: seat decisions queue on each other, while sign-ups inserting
            # rows that reference the event (which take KEY SHARE on it) go on alongside.
            # The groups (their ranks decide) come in the same statement; only the event
            # is locked.
            event = (
                session.execute(
                    select(Event)
                    .options(joinedload(Event.groups))
                    .where(Event.id == event_id)
                    .with_for_update(key_share=True, of=Event)
                    .execution_options(populate_existing=True)
                )
                .unique()
                .scalar_one()
            )
            locked = _clock_if_observed()
            yield event
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _report_hold(started, locked)


@contextmanager
def write_transaction() -> Iterator[None]:
    """A write transaction that is not a seat decision; commits on success.

    On SQLite it starts with BEGIN IMMEDIATE, so what it reads stays true until it
    commits. Objects loaded before are re-read inside.
    """
    session = db.session
    begin_write()
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def begin_write() -> None:
    """End the session's transaction and begin one that will write (IMMEDIATE on SQLite)."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a write transaction must start clean")
    if _continues_read(session):
        return
    session.rollback()
    session.connection(execution_options={WRITE_LOCK: True})


def _continues_read(session) -> bool:
    """On PostgreSQL, let the clean read transaction go on into the write: two round trips less.

    Under READ COMMITTED each statement reads what is committed when it starts, and the
    seat lock's SELECT ... FOR UPDATE waits for any seat decision before it, so nothing
    read under the lock is older than a new transaction's would be. Expiring the objects
    loaded before makes them re-read, as the rollback would. SQLite needs BEGIN IMMEDIATE.
    """
    transaction = session().get_transaction()
    if (
        transaction is None
        or not transaction.is_active
        or session.get_bind().dialect.name != "postgresql"
    ):
        return False
    session.expire_all()
    return True


# -- timing hook for bench.lock: costs one list check per lock unless observed ---------

#: Called with (seconds waited for the lock, seconds held) after each seat lock ends;
#: empty outside benchmarks.
hold_observers: list[Callable[[float, float], None]] = []


def _clock_if_observed() -> float:
    return time.perf_counter() if hold_observers else 0.0


def _report_hold(started: float, locked: float) -> None:
    """Tell the observers how long this seat lock was waited for and held."""
    if not hold_observers or not locked:
        return
    released = time.perf_counter()
    for observer in hold_observers:
        observer(locked - started, released - locked)
