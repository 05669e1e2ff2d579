"""Time from a cancellation's POST to the offer email arriving at the SMTP sink.

    python -m bench.promotion [--n 200] [--quick] [--db]

The product runs under gunicorn (4 workers). The event is full (n admitted) with n
people waiting; each repetition cancels one admitted person's seat through the manage
page's form and waits until the head of the waitlist receives the offer email.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
import urllib.parse
import urllib.request

from signup import tokens
from signup.models import State

from .common import PG_URL, Gunicorn, Sink, Site, free_port, median, percentile, table
from .population import add_registrations, product_app, public_ids, the_event

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="50 repetitions")
    parser.add_argument("--db", nargs="?", const=PG_URL, default=None)
    args = parser.parse_args()
    n = 50 if args.quick else args.n
    offered: dict[str, threading.Event] = {}

    def on_message(_at: float, recipient: str, paths: list[str]) -> None:
        if any(p.startswith("/o/") for p in paths) and recipient in offered:
            offered[recipient].set()

    sink = Sink(links=True, on_message=on_message)
    site = Site(n, args.db, sink.port, free_port())
    try:
        app = product_app(site)
        with app.app_context():
            event = the_event()
            seated = public_ids(add_registrations(event, n, State.ADMITTED, prefix="a"))
            waiting = add_registrations(event, n, State.WAITLISTED, prefix="w")
            manage = [tokens.sign(tokens.MANAGE, public_id) for public_id in seated]
        offered.update({email: threading.Event() for email in waiting})
        server = Gunicorn("app:create_app()", site.port, env=site.env)
        times, missed = [], 0
        try:
            for token, email in zip(manage, waiting, strict=True):
                page_url = f"{site.url}/m/{token}"
                with urllib.request.urlopen(page_url) as response:
                    csrf = CSRF.search(response.read().decode()).group(1)
                    cookie = response.headers["Set-Cookie"].split(";", 1)[0]
                body = urllib.parse.urlencode({"csrf_token": csrf, "confirm": "yes"}).encode()
                request = urllib.request.Request(
                    f"{page_url}/cancel", data=body, headers={"Cookie": cookie}
                )
                started = time.perf_counter()
                with urllib.request.urlopen(request) as response:
                    response.read()
                if offered[email].wait(10):
                    times.append(time.perf_counter() - started)
                else:
                    missed += 1
        finally:
            server.stop()
    finally:
        sink.stop()
        site.cleanup()

    db = "PostgreSQL" if args.db else "SQLite"
    print(f"\npromotion: {n} cancellations, gunicorn 4 workers, {db}")
    print(
        table(
            ["figure", "value"],
            [
                ["repetitions (offer arrived / missed)", f"{len(times)} / {missed}"],
                ["median s", median(times)],
                ["p99 s", percentile(times, 0.99)],
                ["max s", max(times) if times else float("nan")],
            ],
        )
    )


if __name__ == "__main__":
    main()
