"""Engine set-up and the per-event seat lock, the only dialect-specific code we have."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.engine import Engine

from .extensions import db
from .models import Event

SQLITE_BUSY_TIMEOUT_MS = 30_000
_SEAT_LOCK = "signup_seat_lock"


def configure_engine(engine: Engine) -> None:
    """Make SQLite behave as a serialising store: WAL, busy timeout, explicit BEGINs."""
    if engine.dialect.name != "sqlite":
        return

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let us issue BEGIN ourselves, so a seat transaction can be BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front: two seat transactions queue on the
        # busy timeout instead of both reading counts and then racing to write.
        immediate = conn.get_execution_options().get(_SEAT_LOCK)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def seat_lock(event_id: int) -> Iterator[Event]:
    """One write transaction serialised per event; commits on success, rolls back on error.

    SQLite: BEGIN IMMEDIATE (the whole file). PostgreSQL: SELECT ... FOR UPDATE on the
    event row. Every seat decision runs inside this, so counts read here stay true
    until the commit.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a seat decision must start its own transaction")
    session.rollback()
    session.connection(execution_options={_SEAT_LOCK: True})
    try:
        event = session.execute(
            select(Event)
            .where(Event.id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        yield event
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def write_transaction() -> Iterator[None]:
    """A write transaction that is not a seat decision; commits on success.

    On SQLite it starts with BEGIN IMMEDIATE: a transaction that reads first and writes
    later would fail at once ("database is locked") if another connection committed in
    between, since WAL cannot upgrade a stale read snapshot. Objects loaded before are
    re-read inside.
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
    """End the session's read transaction and begin one that will write (IMMEDIATE on SQLite).

    Call it before reading what a write depends on, so the read and the write share one
    snapshot that no other commit can make stale.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a write transaction must start clean")
    session.rollback()
    session.connection(execution_options={_SEAT_LOCK: True})
