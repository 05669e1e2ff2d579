"""Write transactions, and the per-event seat lock every seat decision runs inside.

Each public core function is one transaction: it opens one of these and commits at the
end of the `with` block (or rolls back on an error). Views never open one themselves.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..database import WRITE_LOCK, holding_seat_lock
from ..extensions import db
from ..models import Event

#: Set to a list and every seat lock appends how long it was held, in seconds (from the
#: locked read to the end of the commit): for bench scripts, never set in production.
hold_times: list[float] | None = None


@contextmanager
def seat_lock(event_id: int) -> Iterator[Event]:
    """One write transaction serialised per event; commits on success, rolls back on error.

    SQLite: BEGIN IMMEDIATE (the whole file). PostgreSQL: SELECT ... FOR NO KEY UPDATE on
    the event row. Every seat decision runs inside this, so counts read here stay true
    until the commit. Nothing is rendered inside it (mail/render.py refuses): emails are
    written as intents and built after the commit.
    """
    session = db.session
    begin_write()
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
            locked_at = time.perf_counter()
            yield event
            session.commit()
        if hold_times is not None:
            hold_times.append(time.perf_counter() - locked_at)
    except BaseException:
        session.rollback()
        raise


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
    session.rollback()
    session.connection(execution_options={WRITE_LOCK: True})
