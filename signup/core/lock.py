"""The per-event seat lock: every seat decision runs inside it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..database import begin_write, holding_seat_lock
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
