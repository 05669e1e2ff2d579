"""Seat decisions from real threads against a real database: overbooking is impossible."""

import functools
import threading

import pytest

from conftest import count_rows, in_threads
from signup import scheduler
from signup.core import admission, waitlist
from signup.extensions import db
from signup.models import OutboxMessage, Registration, State

BACKENDS = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
pytestmark = pytest.mark.own_database


def run_together(app, calls) -> list[BaseException]:
    """Run each call in its own thread, all released at once; returns what they raised."""
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call):
        with app.app_context():
            try:
                start.wait()
                call()
            except BaseException as error:  # collected and failed on in the test
                errors.append(error)
            finally:
                db.session.remove()

    in_threads([functools.partial(worker, call) for call in calls])
    return errors


def own(public_id: str) -> Registration:
    """The registration as this thread's session reads it (objects stay in their thread)."""
    return db.session.scalar(db.select(Registration).where(Registration.public_id == public_id))


def states() -> dict[State, int]:
    db.session.rollback()
    counts = {state: 0 for state in State}
    for registration in db.session.scalars(db.select(Registration)):
        counts[registration.state] += 1
    return counts


@BACKENDS
def test_forty_confirm_at_once_for_ten_seats(app, make_event, sign_up):
    event = make_event(capacity=10)
    people = [sign_up(event, f"person{n}@example.no").public_id for n in range(40)]

    errors = run_together(app, [lambda p=p: admission.confirm(own(p)) for p in people])

    assert errors == []
    counts = states()
    assert counts[State.ADMITTED] == 10
    assert counts[State.WAITLISTED] == 30
    queue = waitlist.waiting(event)
    assert sorted(waitlist.position(r) for r in queue) == list(range(1, 31))
    assert count_rows(OutboxMessage, OutboxMessage.kind == "admitted") == 10
    assert count_rows(OutboxMessage, OutboxMessage.kind == "waitlisted") == 30


@pytest.fixture
def offer(make_event, confirmed):
    """One open offer (for the only seat), with one more person waiting behind it."""
    event = make_event(capacity=1)
    seated = confirmed(event, "plass@example.no")
    offered = confirmed(event, "tilbud@example.no")
    confirmed(event, "neste@example.no")
    admission.cancel(seated)
    db.session.rollback()
    offered = db.session.get(Registration, offered.id)
    assert offered.state == State.OFFERED
    return offered


@BACKENDS
def test_twenty_accept_the_same_offer(app, offer):
    public_id, number = offer.public_id, offer.offer_number
    calls = [lambda: admission.accept(own(public_id), number)] * 20

    errors = run_together(app, calls)

    assert errors == []
    counts = states()
    assert counts[State.ADMITTED] == 1
    assert counts[State.OFFERED] == 0
    assert count_rows(OutboxMessage, OutboxMessage.kind == "admitted") == 1 + 1  # seated, offer
    assert (
        count_rows(
            OutboxMessage, OutboxMessage.recipient == offer.email, OutboxMessage.kind == "admitted"
        )
        == 1
    )


@BACKENDS
@pytest.mark.parametrize("at_expiry", [False, True], ids=["in-time", "at-expiry"])
def test_accept_racing_the_expiry_sweep(app, offer, frozen_clock, at_expiry):
    if at_expiry:
        frozen_clock.set_now(offer.offer_expires_at)
    public_id, number = offer.public_id, offer.offer_number
    calls = [lambda: admission.accept(own(public_id), number)] * 5
    calls += [scheduler.expire_offers] * 5

    errors = run_together(app, calls)

    assert errors == []
    db.session.rollback()
    mine = db.session.get(Registration, offer.id)
    nxt = waitlist.waiting(mine.event)
    kinds = {
        kind: count_rows(
            OutboxMessage, OutboxMessage.recipient == offer.email, OutboxMessage.kind == kind
        )
        for kind in ("admitted", "lapsed")
    }
    offers_to_next = count_rows(
        OutboxMessage, OutboxMessage.recipient == "neste@example.no", OutboxMessage.kind == "offer"
    )
    if at_expiry:
        assert mine.state == State.LAPSED
        assert kinds == {"admitted": 0, "lapsed": 1}
        assert offers_to_next == 1
        assert nxt == []
    else:
        assert mine.state == State.ADMITTED
        assert kinds == {"admitted": 1, "lapsed": 0}
        assert offers_to_next == 0
    assert waitlist.held_seats(mine.event) == 1
