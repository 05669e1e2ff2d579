"""How long a confirm holds the seat lock, measured in process (a quick check, not the bench).

python scripts/lock_hold.py [--n 500] [--briefing N] [--database-url URL]

Confirms N sign-ups through core.admission on a fresh SQLite file (or URL) with half of
them admitted and half waitlisted, and prints the median and p99 time the seat lock was
held (from the locked read to the end of the commit); with --briefing, also how long
`briefing.send_briefing` holds it for N admitted people. It reads core/lock.py's
`hold_times`; on a tree without it, it times the lock around admission's seat_lock.
The official figures are `bench`'s.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

ROOT = Path.cwd()
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app import create_app  # noqa: E402
from conftest import create_event  # noqa: E402
from signup import clock  # noqa: E402
from signup.core import admission, briefing, lock, signups  # noqa: E402
from signup.extensions import db  # noqa: E402
from signup.models import Registration, State  # noqa: E402


def _timed_lock(times: list[float], cpu: list[float], wall: bool):
    """The seat_lock, recording the CPU time (and the wall time, if `wall`) held."""
    original = lock.seat_lock

    @contextlib.contextmanager
    def seat_lock(event_id):
        with original(event_id) as event:
            started, started_cpu = time.perf_counter(), time.thread_time()
            yield event
        cpu.append(time.thread_time() - started_cpu)
        if wall:
            times.append(time.perf_counter() - started)

    return seat_lock


def _summary(label: str, seconds: list[float]) -> str:
    ms = sorted(t * 1000 for t in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{label} median {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--briefing", type=int, default=0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/lock.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BACKGROUND": False})
    times: list[float] = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = create_event(capacity=args.n // 2, title="Låsemåling på Ærøy")
        group = event.groups[1]
        for i in range(args.n):
            details = {"name": f"Åse {i}", "email": f"p{i}@example.no", "organisation": "Ø AS"}
            signups.sign_up(event, group, details)
        ids = [signups.find(event, f"p{i}@example.no").public_id for i in range(args.n)]
        cpu: list[float] = []
        if hasattr(lock, "hold_times"):
            lock.hold_times = times
        timed = _timed_lock(times, cpu, wall=not hasattr(lock, "hold_times"))
        admission.seat_lock = briefing.seat_lock = timed
        for public_id in ids:
            admission.confirm(public_id)
        print(f"{len(times)} confirms: {_summary('lock held', times)}; {_summary('CPU', cpu)}")
        if args.briefing:
            _brief(event, args.briefing, times)


def _brief(event, count: int, times: list[float]) -> None:
    """Time send_briefing's one seat lock for `count` admitted people not yet briefed."""
    moment = clock.now()
    rows = [
        {
            "event_id": event.id,
            "group_id": event.groups[1].id,
            "state": State.ADMITTED,
            "name": f"Øystein {i}",
            "email": f"b{i}@example.no",
            "email_normalised": f"b{i}@example.no",
            "confirm_expires_at": moment,
            "confirmed_at": moment,
            "admitted_at": moment,
        }
        for i in range(count)
    ]
    db.session.execute(insert(Registration), rows)
    db.session.commit()
    del times[:]
    briefing.send_briefing(event.id, early=True)
    print(f"briefing for {count} people (and the confirmed): lock held {times[-1]:.2f} s")


if __name__ == "__main__":
    main()
