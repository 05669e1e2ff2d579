"""10,000 briefings through the outbox to a local SMTP sink, against raw smtplib.

    python -m bench.mail [--n 10000] [--quick]

Both sides send the same messages (the bytes the outbox rows hold) to the same sink
process over one SMTP connection. The outbox side is `outbox.deliver_due()` in a loop,
as the delivery thread runs it; enqueueing (rendering and building each message) is
timed separately.
"""

from __future__ import annotations

import argparse
import smtplib
import time

from sqlalchemy import select, update

from signup.core import briefing
from signup.extensions import db
from signup.mail import outbox
from signup.models import MessageState, OutboxMessage, State

from .common import Sink, Site, free_port, table
from .population import add_registrations, product_app, the_event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 briefings")
    parser.add_argument(
        "--db", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    n = 1000 if args.quick else args.n
    sink = Sink()
    site = Site(n, args.db, sink.port, free_port())
    try:
        app = product_app(site)
        with app.app_context():
            event = the_event()
            add_registrations(event, n, State.ADMITTED)
            started = time.perf_counter()
            briefed = briefing.send_briefing(event.id, early=True)
            enqueue_s = time.perf_counter() - started
            assert briefed == n, briefed

            started = time.perf_counter()
            while outbox.deliver_due():
                pass
            assert sink.wait_total(n, 60)
            outbox_s = time.perf_counter() - started

            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            sender = app.config["MAIL_DEFAULT_SENDER"]
            raw = [(r.recipient, r.message) for r in rows]
            db.session.execute(update(OutboxMessage).values(state=MessageState.QUEUED))
            db.session.rollback()
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            for recipient, message in raw:
                smtp.sendmail(sender, [recipient], message)
        assert sink.wait_total(2 * n, 60)
        raw_s = time.perf_counter() - started
    finally:
        sink.stop()
        site.cleanup()

    print(f"\nmail: {n} briefings, one SMTP connection, sink in its own process")
    print(
        table(
            ["sender", "messages", "seconds", "messages/s", "% of raw smtplib"],
            [
                ["raw smtplib (baseline)", n, raw_s, n / raw_s, 100.0],
                ["outbox deliver_due", n, outbox_s, n / outbox_s, 100 * raw_s / outbox_s],
                [
                    "outbox enqueue (render, build)",
                    n,
                    enqueue_s,
                    n / enqueue_s,
                    100 * raw_s / enqueue_s,
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
