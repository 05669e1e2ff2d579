"""The per-event seat lock: every seat decision runs inside it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..database import begin_write
from ..extensions import db
from ..models import Event


@contextmanager
def seat_lock(event_id: int) -> Iterator[Event]:
    """One write transaction serialised per event; commits on success, rolls back on error.

    SQLite: BEGIN IMMEDIATE (the whole file). PostgreSQL: SELECT ... FOR NO KEY UPDATE on
    the event row. Every seat decision runs inside this, so counts read here stay true
    until the commit.
    """
    session = db.session
    started = _clock_if_observed()
    begin_write()
    locked = 0.0
    try:
        # NO KEY UPDATE: seat decisions queue on each other, while sign-ups inserting rows
        # that reference the event (which take KEY SHARE on it) go on alongside. The
        # groups (their ranks decide) come in the same statement; only the event is locked.
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
