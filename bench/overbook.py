"""N people confirm at once for C seats: prints the admitted count and the time to settle.

    python bench/overbook.py --n 200 --capacity 50 --db sqlite
    python bench/overbook.py --n 200 --capacity 50 --db postgresql   # BENCH_DATABASE_URL

Real threads against a real database, through the admission rules (`admission.confirm`),
each thread with its own session, as web workers would. Not a test: it asserts nothing
beyond printing whether the seats held stayed within capacity.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from signup import clock  # noqa: E402
from signup.core import admission, waitlist  # noqa: E402
from signup.extensions import db  # noqa: E402
from signup.models import Event, PriorityGroup, Registration, State  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POOL_SIZE = 20


def database_url(kind: str, folder: str) -> str:
    if kind == "postgresql":
        return os.environ.get("BENCH_DATABASE_URL", PG_URL)
    return f"sqlite:///{folder}/overbook.sqlite3"


def prepare(n: int, capacity: int) -> tuple[int, list[str]]:
    """A fresh event with `n` unconfirmed sign-ups; returns its id and their public ids."""
    starts = clock.now() + timedelta(days=14)
    event = Event(
        slug=f"bench-{time.time_ns()}",
        title="Benchmark",
        venue="Benk",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        registration_closes_at=starts,
        briefing_at=starts - timedelta(days=1),
        capacity=capacity,
    )
    event.groups = [PriorityGroup(key="alle", label="Alle", rank=1)]
    people = [
        Registration(
            event=event,
            group=event.groups[0],
            name=f"Person {i}",
            email=f"p{i}@bench.invalid",
            email_normalised=f"p{i}@bench.invalid",
            confirm_expires_at=starts,
            state=State.UNCONFIRMED,
        )
        for i in range(n)
    ]
    db.session.add(event)
    db.session.add_all(people)
    db.session.commit()
    return event.id, [p.public_id for p in people]


def confirm_all(app, public_ids: list[str]) -> tuple[float, int]:
    """Release every confirmer at once; returns (seconds to settle, errors)."""
    start = threading.Barrier(len(public_ids) + 1)
    errors: list[BaseException] = []

    def confirmer(public_id: str) -> None:
        with app.app_context():
            registration = db.session.scalar(
                db.select(Registration).where(Registration.public_id == public_id)
            )
            start.wait()
            try:
                admission.confirm(registration)
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirmer, args=(p,)) for p in public_ids]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="concurrent confirmers")
    parser.add_argument("--capacity", type=int, default=50, help="seats")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url(args.db, folder),
                # A bounded pool, as each web worker has: confirmers queue for a connection
                # instead of exceeding PostgreSQL's max_connections.
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "pool_size": POOL_SIZE,
                    "max_overflow": 0,
                    "pool_timeout": 300,
                },
            }
        )
        with app.app_context():
            db.create_all()
            event_id, public_ids = prepare(args.n, args.capacity)
        seconds, errors = confirm_all(app, public_ids)
        with app.app_context():
            event = db.session.get(Event, event_id)
            admitted = waitlist.held_seats(event)
            waiting = waitlist.length(event)
            db.engine.dispose()
    verdict = "ok" if admitted == min(args.n, args.capacity) and not errors else "WRONG"
    print(
        f"db={args.db} n={args.n} capacity={args.capacity} admitted={admitted} "
        f"waitlisted={waiting} errors={errors} settle={seconds:.2f}s "
        f"({seconds / args.n * 1000:.1f} ms/confirm) {verdict}"
    )


if __name__ == "__main__":
    main()
