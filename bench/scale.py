"""Confirm latency and the organiser event page with 100 and with 10,000 registrations.

    python -m bench.scale [--small 100] [--large 10000] [--quick]

In process, through Flask's test client on a production-configured app (SQLite file):
only the server's work is timed. The delivery thread is not started, so the SQL
statements an engine listener counts are the request's own.
"""

from __future__ import annotations

import argparse
import re
import time

from sqlalchemy import event as sa_event

from signup import tokens
from signup.core.accounts import create_organiser
from signup.extensions import db
from signup.models import State

from .common import Sink, Site, confirm_in_client, free_port, median, percentile, table
from .population import add_registrations, product_app, public_ids, the_event

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CONFIRMS = 100
PAGE_VIEWS = 20


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


def measure(size: int, db_url: str | None) -> dict:
    sink = Sink()
    site = Site(size // 2, db_url, sink.port, free_port())
    try:
        app = product_app(site, background=False)
        with app.app_context():
            event = the_event()
            slug = event.slug
            add_registrations(event, size // 2, State.ADMITTED, prefix="a")
            add_registrations(event, size - size // 2 - CONFIRMS, State.WAITLISTED, prefix="w")
            fresh = public_ids(add_registrations(event, CONFIRMS, State.UNCONFIRMED, prefix="u"))
            confirm_links = [tokens.sign(tokens.CONFIRM, public_id) for public_id in fresh]
            create_organiser("arrangor@skala.no", "riktig-hest-batteri-stift")
            counter = QueryCounter(db.engine)
            db.session.remove()
        client = app.test_client()
        confirm_times, confirm_queries = [], []
        for token in confirm_links:
            before = counter.count
            started = time.perf_counter()
            status = confirm_in_client(client, f"/c/{token}")
            confirm_times.append(time.perf_counter() - started)
            confirm_queries.append(counter.count - before)
            assert status == 200, status
        page = client.get("/organiser/login").get_data(as_text=True)
        login = {
            "csrf_token": CSRF.search(page).group(1),
            "email": "arrangor@skala.no",
            "password": "riktig-hest-batteri-stift",
        }
        assert client.post("/organiser/login", data=login).status_code == 303
        page_times, page_queries = [], []
        for _ in range(PAGE_VIEWS):
            before = counter.count
            started = time.perf_counter()
            response = client.get(f"/organiser/events/{slug}/")
            page_times.append(time.perf_counter() - started)
            page_queries.append(counter.count - before)
            assert response.status_code == 200
        with app.app_context():
            db.engine.dispose()
    finally:
        sink.stop()
        site.cleanup()
    return {
        "confirm median ms": 1000 * median(confirm_times),
        "confirm p95 ms": 1000 * percentile(confirm_times, 0.95),
        "confirm queries": max(confirm_queries),
        "event page median ms": 1000 * median(page_times),
        "event page queries": max(page_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="100 against 3,000")
    parser.add_argument(
        "--db", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    large = 3000 if args.quick else args.large
    small = measure(max(args.small, CONFIRMS + 2), args.db)
    big = measure(large, args.db)
    print(f"\nscale: {CONFIRMS} confirms and {PAGE_VIEWS} organiser event page views per size")
    rows = [[name, small[name], big[name], big[name] / small[name]] for name in small]
    print(table(["figure", f"{args.small} regs", f"{large} regs", "ratio"], rows))


if __name__ == "__main__":
    main()
