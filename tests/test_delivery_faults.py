"""Database connections dropped during delivery: every email still goes out exactly once.

The faults are real: another connection runs `pg_terminate_backend` on every other
backend of the test database, again and again, while a batch is delivered to the real
SMTP sink; or the database refuses every connection from the moment the relay accepts a
message until after the sender gave up. A row the relay accepted but whose "sent" mark
was lost with the connection must not be sent again; each Message-ID arrives once.

On SQLite the fault does not exist: the database is a file the process opens itself, not
a server connection another party can drop. A write there fails only on a full disk or
after the 30 s busy timeout, and goes through the same retried write.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.exc import SQLAlchemyError

from conftest import PG_URL, SMTPSink, count_rows
from signup.extensions import db
from signup.mail import outbox, worker
from signup.models import MessageState, OutboxMessage

PEOPLE = 200
#: How often the killer drops every connection of the delivery, in seconds.
KILL_EVERY = 0.1
BATCH = 25

#: Runs in the first pass of make test, on PostgreSQL (the only database with the fault).
pytestmark = [pytest.mark.own_database, pytest.mark.slow]


class ConnectionKiller:
    """Terminates every other backend of the test database until stopped; counts kills."""

    def __init__(self):
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as killer:
            while not self._stop.wait(KILL_EVERY):
                killed = killer.execute(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchone()[0]
                self.kills += killed


class ShutOutSink(SMTPSink):
    """The test sink; asked to, it shuts the database out right after taking a message."""

    def __init__(self):
        super().__init__()
        self.shut_out_next = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        reply = await super().handle_DATA(server, session, envelope)
        if self.shut_out_next:
            self.shut_out_next = False
            database_accepts_connections(False)
        return reply


@pytest.fixture
def smtp():
    with ShutOutSink() as sink:
        yield sink


def database_accepts_connections(accepts: bool) -> None:
    """Let connections into the test database or not; shutting out ends those it has."""
    server, name = PG_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(accepts).lower()}')
        if not accepts:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )


def deliver_through_faults(frozen_clock) -> int:
    """Deliver until nothing is due, as the worker does; a failed run waits out the lease."""
    failures = 0
    idle_runs = 0
    while idle_runs < 3:
        try:
            idle_runs = 0 if outbox.deliver_due(limit=BATCH) else idle_runs + 1
        except SQLAlchemyError:
            failures += 1
            idle_runs = 0
        # Time passes: rows a failed run left leased are free for the next claim.
        frozen_clock.advance(outbox.claim_lease() + timedelta(seconds=1))
    return failures


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_dropped_database_connections_during_delivery_send_each_email_once(
    app, make_event, sign_up, smtp, frozen_clock
):
    worker.stop_worker(app)  # only the sender under test delivers
    event = make_event(title="Temamøte for Ærøy, Østfold og Åsgårdstrand")
    for n in range(PEOPLE):
        sign_up(event, f"person{n}@example.no", name=f"Åse Ørjansdatter {n}")
    db.session.remove()

    with ConnectionKiller() as killer:
        failed_runs = deliver_through_faults(frozen_clock)
    db.engine.dispose()  # the pool's connections were killed too
    deliver_through_faults(frozen_clock)

    assert killer.kills > 10, "the fault did not happen"
    assert failed_runs > 0, "no delivery run met a dropped connection"
    assert count_rows(OutboxMessage, OutboxMessage.state == MessageState.SENT) == PEOPLE
    copies = Counter(mail["Message-ID"] for mail in smtp.wait_for_total(PEOPLE))
    assert len(copies) == PEOPLE
    assert {mid: n for mid, n in copies.items() if n > 1} == {}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_sent_mark_lost_with_the_database_is_written_before_the_next_claim(
    app, make_event, sign_up, smtp, frozen_clock
):
    worker.stop_worker(app)
    event = make_event(title="Temamøte på Tjøme")
    for n in range(3):
        sign_up(event, f"person{n}@example.no", name=f"Bjørg Ås {n}")
    db.session.remove()
    smtp.shut_out_next = True  # the database goes away as the relay takes the first message

    try:
        with pytest.raises(SQLAlchemyError):
            outbox.deliver_due()
    finally:
        database_accepts_connections(True)
    db.engine.dispose()
    # The lease is long over: any sender could claim the row now.
    frozen_clock.advance(outbox.claim_lease() + timedelta(seconds=1))
    while outbox.deliver_due():
        pass

    assert count_rows(OutboxMessage, OutboxMessage.state == MessageState.SENT) == 3
    copies = Counter(mail["Message-ID"] for mail in smtp.wait_for_total(3))
    assert sorted(copies.values()) == [1, 1, 1]
