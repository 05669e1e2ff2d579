"""How long the seat lock is waited for and held: N confirms, then one briefing for N people.

    python -m bench.lock [--n 1000] [--quick] [--db [URL]]

In process, through Flask's test client on a production-configured app, without the
delivery thread. The confirms run one after another (so nobody waits on anybody: the
"wait" column is the locking statement itself). Timed by `core.lock.hold_observers`:
held is from the locking statement's return to the end of the commit. The briefing
(`briefing.send_briefing`) for the N admitted people is one more lock.
"""

from __future__ import annotations

import argparse
import time

from signup import tokens
from signup.core import briefing
from signup.core import lock as seat_lock_module
from signup.extensions import db
from signup.models import State

from .common import PG_URL, Sink, Site, confirm_in_client, free_port, median, percentile, table
from .population import add_registrations, product_app, public_ids, the_event


def measure(n: int, db_url: str | None) -> tuple[list[tuple[float, float]], list, float]:
    """Lock (wait, held) per confirm, the briefing's locks, and the briefing's wall seconds."""
    sink = Sink()
    site = Site(n // 2, db_url, sink.port, free_port())
    holds: list[tuple[float, float]] = []
    seat_lock_module.hold_observers.append(lambda wait, held: holds.append((wait, held)))
    try:
        app = product_app(site, background=False)
        with app.app_context():
            event = the_event()
            event_id = event.id
            fresh = public_ids(add_registrations(event, n, State.UNCONFIRMED, prefix="u"))
            links = [f"/c/{tokens.sign(tokens.CONFIRM, public_id)}" for public_id in fresh]
            db.session.remove()
        client = app.test_client()
        for link in links:
            assert confirm_in_client(client, link) == 200
        confirms = list(holds)
        holds.clear()
        with app.app_context():
            started = time.perf_counter()
            briefing.send_briefing(event_id, early=True)
            briefing_s = time.perf_counter() - started
            db.engine.dispose()
        return confirms, list(holds), briefing_s
    finally:
        seat_lock_module.hold_observers.clear()
        sink.stop()
        site.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="confirms (default 1,000)")
    parser.add_argument("--quick", action="store_true", help="300 confirms")
    parser.add_argument("--db", nargs="?", const=PG_URL, help=f"PostgreSQL (default {PG_URL})")
    args = parser.parse_args()
    n = 300 if args.quick else args.n
    confirms, briefings, briefing_s = measure(n, args.db)
    waits = [wait for wait, _ in confirms]
    helds = [held for _, held in confirms]
    print(f"\nseat lock: {len(confirms)} confirms, {'PostgreSQL' if args.db else 'SQLite'}")
    print(
        table(
            ["lock", "count", "wait median ms", "held median ms", "held p99 ms", "held max ms"],
            [
                [
                    "confirm",
                    len(confirms),
                    1000 * median(waits),
                    1000 * median(helds),
                    1000 * percentile(helds, 0.99),
                    1000 * max(helds),
                ],
                [
                    f"briefing ({n // 2} admitted)",
                    len(briefings),
                    1000 * median([w for w, _ in briefings]),
                    1000 * median([h for _, h in briefings]),
                    1000 * percentile([h for _, h in briefings], 0.99),
                    1000 * max((h for _, h in briefings), default=float("nan")),
                ],
            ],
        )
    )
    print(f"briefing wall s (all its locks and work): {briefing_s:.2f}")


if __name__ == "__main__":
    main()
