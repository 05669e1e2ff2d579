"""Statements and round trips per step of one person (form, submit, confirm page, confirm).

    python -m bench.statements [--db [URL]] [--people 20]

In process, through Flask's test client on a production-configured app, without the
delivery thread. For each step, the last of `--people` requests is counted (the first
ones warm caches): SQL statements, transactions begun, commits, rollbacks (the pool's
reset on return included), connection checkouts (each a ping with pool_pre_ping) and
CPU milliseconds of this process per request (median over the people).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter

import psycopg
from sqlalchemy import event as sa_event
from sqlalchemy import select

from signup import tokens
from signup.extensions import db
from signup.models import Registration

from .common import (
    CSRF,
    PG_URL,
    SLUG,
    Sink,
    Site,
    cpu_seconds,
    free_port,
    median,
    postgres_pids,
    table,
)
from .population import product_app

STEPS = ("load form", "submit", "confirm page", "confirm POST")


class Counts:
    """Engine and pool events counted into one Counter."""

    def __init__(self, engine):
        self.counter: Counter = Counter()
        self.statements: list[str] = []
        for name in ("begin", "commit", "rollback"):
            sa_event.listen(engine, name, self._bump(name))
        sa_event.listen(engine, "before_cursor_execute", self._statement)
        sa_event.listen(engine.pool, "checkout", self._bump("checkout"))
        sa_event.listen(engine.pool, "reset", self._bump("pool reset"))
        self.trace = None
        if engine.dialect.name == "postgresql":
            # libpq's protocol trace: each ReadyForQuery ends one round trip.
            self.trace = tempfile.NamedTemporaryFile("w", prefix="bench-trace-")  # noqa: SIM115
            self.reader = open(self.trace.name, encoding="utf-8", errors="replace")  # noqa: SIM115
            sa_event.listen(engine, "connect", self._trace)

    def _trace(self, dbapi_connection, _record) -> None:
        dbapi_connection.pgconn.trace(self.trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def protocol(self) -> Counter:
        """Round trips and Parse messages since the last call (PostgreSQL only)."""
        found: Counter = Counter()
        if self.trace is None:
            return found
        for line in self.reader.read().splitlines():
            if "\tReadyForQuery\t" in line:
                found["round trips"] += 1
            elif line.startswith("F") and "\tParse\t" in line:
                found["parses"] += 1
        return found

    def _bump(self, name: str):
        def bump(*_args, **_kwargs) -> None:
            self.counter[name] += 1

        return bump

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        self.counter["statements"] += 1
        self.statements.append(" ".join(statement.split())[:110])


def one_person(app, client, index: int, counts: Counts) -> dict:
    """Run one person's four steps; each step's counts and CPU seconds."""
    found = {}

    def step(name: str, call):
        counts.counter.clear()
        counts.statements.clear()
        counts.protocol()
        started = time.process_time()
        response = call()
        counts.counter.update(counts.protocol())
        found[name] = (Counter(counts.counter), time.process_time() - started, counts.statements[:])
        return response

    form_url = f"/events/{SLUG}/"
    page = step("load form", lambda: client.get(form_url)).get_data(as_text=True)
    data = {
        "csrf_token": CSRF.search(page).group(1),
        "name": f"Åse Ødegård {index}",
        "email": f"person{index:04d}@rush.no",
        "organisation": "Bjørn og Søn AS",
        "group": "andre",
        "consent": "y",
    }
    assert step("submit", lambda: client.post(form_url, data=data)).status_code == 303
    with app.app_context():
        public_id = db.session.scalar(
            select(Registration.public_id).where(Registration.email == data["email"])
        )
        link = f"/c/{tokens.sign(tokens.CONFIRM, public_id)}"
    page = step("confirm page", lambda: client.get(link)).get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = step("confirm POST", lambda: client.post(link, data={"csrf_token": token}))
    assert response.status_code == 200
    return found


def measure(db_url: str | None, people: int) -> tuple[dict, dict, list[float]]:
    """The last person's counts per step, each step's median CPU ms, CPU ms per person.

    CPU per person is (this process, PostgreSQL's processes), all four steps, from /proc.
    """
    sink = Sink()
    site = Site(people, db_url, sink.port, free_port())
    try:
        app = product_app(site, background=False)
        with app.app_context():
            counts = Counts(db.engine)
        client = app.test_client()
        database = db_url.rsplit("/", 1)[1] if db_url else None
        before = time.process_time(), cpu_seconds(postgres_pids(database)) if database else 0.0
        runs = [one_person(app, client, i, counts) for i in range(people)]
        after = time.process_time(), cpu_seconds(postgres_pids(database)) if database else 0.0
        totals = [1000 * (b - a) / people for a, b in zip(before, after, strict=True)]
        with app.app_context():
            db.engine.dispose()
    finally:
        sink.stop()
        site.cleanup()
    cpu = {name: 1000 * median([run[name][1] for run in runs]) for name in STEPS}
    return runs[-1], cpu, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", nargs="?", const=PG_URL, help=f"PostgreSQL (default {PG_URL})")
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print each step's statements")
    args = parser.parse_args()
    last, cpu, totals = measure(args.db, args.people)
    kinds = ("statements", "begin", "commit", "rollback", "pool reset", "checkout")
    if args.db:
        kinds += ("round trips", "parses")
    rows = [[name, *(last[name][0][k] for k in kinds), cpu[name]] for name in STEPS]
    print(f"\nstatements per step, {'PostgreSQL' if args.db else 'SQLite'} (one person, warm)")
    print(table(["step", *kinds, "CPU ms (median)"], rows))
    print(
        f"CPU per person, all steps, {args.people} people: app {totals[0]:.2f} ms, "
        f"PostgreSQL {totals[1]:.2f} ms"
    )
    if args.sql:
        for name in STEPS:
            print(f"\n{name}:")
            print("\n".join(f"  {s}" for s in last[name][2]))


if __name__ == "__main__":
    main()
