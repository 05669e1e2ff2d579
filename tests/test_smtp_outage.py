"""SMTP outage in real time: pages keep answering, and every email goes out once afterwards.

This is the one test that waits on the wall clock: the relay is down for 30 real seconds
and the delivery worker's own retry (30 s backoff, 5 s poll) brings the mail out.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import Counter

import pytest

from conftest import (
    app_log_text,
    count_rows,
    create_event,
    in_threads,
    make_app,
    serving,
    submit_signup,
    wait_until,
)
from signup import scheduler
from signup.models import MessageState, OutboxMessage

#: Runs once, on SQLite: it is 30 s of real waiting, and the outbox code is the same on both.
pytestmark = [pytest.mark.own_database, pytest.mark.slow]

OUTAGE_SECONDS = 30
PEOPLE = 100
THREADS = 4


@pytest.fixture
def live_app(tmp_path, smtp):
    """The app on the real clock with its delivery worker sending to `smtp`."""
    # 100 sign-ups from one test client in seconds: a whole company's rush, above the
    # per-client limit of an ordinary minute.
    application = make_app(tmp_path, smtp.port, SIGNUPS_PER_CLIENT="1000/minute")
    with serving(application):
        yield application


def sign_up_many(app, event, addresses: list[str]) -> list[int]:
    """Sign everyone up over HTTP from a few threads; returns every status code seen."""
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    assert event.slug  # loaded here: the threads only read it

    def person(chunk: list[str]) -> None:
        client = app.test_client()
        try:
            for address in chunk:
                posted = submit_signup(client, event, address, name="Øystein Åsheim")
                landing = client.get(posted.headers["Location"])
                with lock:
                    statuses.extend([posted.status_code, landing.status_code])
        except BaseException as error:  # failed on in the test
            errors.append(error)

    in_threads([functools.partial(person, addresses[n::THREADS]) for n in range(THREADS)])
    assert errors == []
    return statuses


def test_smtp_down_for_30_seconds_during_100_sign_ups(live_app, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    event = create_event(capacity=50)
    addresses = [f"utfall{n}@example.no" for n in range(PEOPLE)]
    smtp.stop()
    stopped = time.monotonic()

    statuses = sign_up_many(live_app, event, addresses)

    assert len(statuses) == 2 * PEOPLE
    assert Counter(statuses) == {303: PEOPLE, 200: PEOPLE}
    assert time.monotonic() - stopped < OUTAGE_SECONDS, "the burst outlasted the outage"
    time.sleep(OUTAGE_SECONDS - (time.monotonic() - stopped))
    assert smtp.messages == []
    smtp.start()  # back on the same port

    smtp.wait_for_total(PEOPLE, timeout=OUTAGE_SECONDS)
    scheduler.run_sweeps(live_app)  # a sweep and a wake-up after the fact send nothing more
    live_app.extensions["signup_delivery"].wake()
    wait_until(lambda: count_rows(OutboxMessage, OutboxMessage.state != MessageState.SENT) == 0)
    per_person = Counter(m["To"].addresses[0].addr_spec for m in smtp.messages)
    assert per_person == dict.fromkeys(addresses, 1)
    assert all(m["Subject"].startswith("Bekreft påmeldingen") for m in smtp.messages)
    logged = app_log_text(caplog)
    # The outage was logged as a pause and its end, without personal data.
    assert "outbox delivery paused: the mail relay cannot be reached" in logged
    assert "outbox delivery resumed" in logged
    assert count_rows(OutboxMessage, OutboxMessage.attempts > 1) == 0
    assert "example.no" not in logged and "Outage Person" not in logged
