"""Engine set-up; write transactions and the seat lock are in core/lock.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event as sa_event
from sqlalchemy import exc
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: The execution option that makes SQLite begin a transaction with BEGIN IMMEDIATE.
WRITE_LOCK = "signup_seat_lock"
#: True while this thread holds a seat lock (set by core/lock.py). Here, not in core, so
#: that mail/render.py can refuse to render inside the lock without importing core.
_seat_lock_held: ContextVar[bool] = ContextVar("seat_lock_held", default=False)
#: A server connection idle this long is pinged before use; busier ones are not.
IDLE_PING_SECONDS = 1.0


def engine_options(url: str) -> dict:
    """Engine options for `url`: bound values never appear in error messages or logs."""
    # A failed statement's parameters are names, addresses and dietary notes: an error
    # message that carries them would put personal data in the log, beyond retention.
    # A server's connections drop (restarts, idle timeouts): configure_engine pings one
    # that has been idle before it is used again. An SQLite file has no connection to lose.
    return {"hide_parameters": True}


def configure_engine(engine: Engine) -> None:
    """SQLite as a serialising store: WAL, a busy timeout, BEGIN IMMEDIATE for seat locks.

    PostgreSQL: error messages lose the server's DETAIL line, which repeats the values.
    """
    if engine.dialect.name == "postgresql":
        sa_event.listen(engine, "handle_error", _without_detail)
    if engine.dialect.name != "sqlite":
        _ping_when_idle(engine)
        return

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A seat transaction takes the write lock up front (BEGIN IMMEDIATE): two of them
        # queue on the busy timeout instead of both reading counts and racing to write.
        # Other transactions keep the driver's default: reads run unlocked and the first
        # write opens a transaction, so a read-then-write never meets a stale snapshot.
        if conn.get_execution_options().get(WRITE_LOCK):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only if it sat idle for IDLE_PING_SECONDS.

    pool_pre_ping would ping on every checkout: a round trip each, three per confirm.
    A connection in steady use has just answered; one that sat idle may have been
    dropped (a restart, an idle timeout), and a failed ping makes the pool replace it.
    """

    @sa_event.listens_for(engine.pool, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @sa_event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            dbapi_connection.close()  # the pool's invalidation only terminates it
            raise exc.DisconnectionError("the pooled connection was dropped") from error


def _without_detail(context) -> None:
    """Keep only the primary message of a PostgreSQL error: its DETAIL names the values.

    "Key (event_id, email_normalised)=(1, kari@firma.no) already exists" would put an
    address in the log of whatever logs the error; hide_parameters does not cover it.
    The error keeps its class, SQLSTATE and `diag` for the code that handles it.
    """
    original = context.original_exception
    diag = getattr(original, "diag", None)
    if diag is None or not diag.message_detail or not diag.message_primary:
        return
    original.args = (diag.message_primary,)
    error = context.sqlalchemy_exception
    if error is not None:
        kind = type(original)
        error.args = (f"({kind.__module__}.{kind.__name__}) {diag.message_primary}",)


@contextmanager
def holding_seat_lock() -> Iterator[None]:
    """Mark the seat lock as held by this thread for the duration of the block."""
    token = _seat_lock_held.set(True)
    try:
        yield
    finally:
        _seat_lock_held.reset(token)


def seat_lock_held() -> bool:
    """Whether this thread is inside a seat lock now (nothing slow belongs there)."""
    return _seat_lock_held.get()
