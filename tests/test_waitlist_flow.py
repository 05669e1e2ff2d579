"""Issue 3: the waitlist moves by itself, through pages, mail and the scheduler's sweeps."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED

from conftest import (
    OSLO,
    confirm_by_link,
    count_rows,
    fresh,
    link_path,
    make_app,
    press,
    submit_signup,
    text_of,
    wait_until,
)
from signup import scheduler
from signup.core import admission, signups, waitlist
from signup.core.offer_window import offer_expires_at
from signup.extensions import db
from signup.models import MessageState, OutboxMessage, Registration, State


def join(client, smtp, event, email, group):
    """Sign up and confirm through the pages; returns the confirmation page."""
    submit_signup(client, event, email, group=group)
    [mail] = smtp.wait_for(email)
    return confirm_by_link(client, mail).get_data(as_text=True)


def snapshot():
    """Every registration's state and the number of emails written: what GETs must not change."""
    db.session.rollback()
    states = [r.state for r in db.session.scalars(db.select(Registration).order_by("id"))]
    return states, count_rows(OutboxMessage)


def attachments(mail) -> list[str]:
    return [part.get_filename() for part in mail.iter_attachments()]


def test_full_waitlist_chain_over_http(app, client, make_event, smtp, frozen_clock):
    event = make_event(capacity=2)
    assert "Du har plass" in join(client, smtp, event, "anne@example.no", "medlem")
    assert "Du har plass" in join(client, smtp, event, "bjorn@example.no", "andre")
    assert "nummer 1 av 1" in join(client, smtp, event, "cecilie@example.no", "andre")
    frozen_clock.advance(timedelta(minutes=10))
    # Better rank, confirmed later: goes ahead of Cecilie.
    assert "nummer 1 av 2" in join(client, smtp, event, "dag@example.no", "medlem")
    manage_anne = link_path(smtp.to("anne@example.no")[-1], "m")

    # A mail scanner following every link (and every action URL by GET) changes nothing.
    before = snapshot()
    for path in (manage_anne, f"{manage_anne}/cancel", f"{manage_anne}/rejoin"):
        assert client.get(path).status_code in (200, 405)
    assert snapshot() == before

    # Anne gives up her seat: two steps, each a POST.
    manage_page = client.get(manage_anne).get_data(as_text=True)
    are_you_sure = press(client, manage_page, "Meld meg av")
    assert are_you_sure.status_code == 200
    assert snapshot() == before  # the first button only asks
    done = press(client, are_you_sure.get_data(as_text=True), "Ja, meld meg av")
    assert "Du er meldt av" in done.get_data(as_text=True)

    # The seat goes to Dag (rank 1), not Cecilie who confirmed first.
    offer_mail = smtp.wait_for("dag@example.no", 3)[2]
    assert offer_mail["Subject"].startswith("Du har fått tilbud om plass")
    dag = signups.find(event, "dag@example.no")
    assert fresh(dag).state == State.OFFERED
    assert all(
        not m["Subject"].startswith("Du har fått tilbud") for m in smtp.to("cecilie@example.no")
    )
    offer_path = link_path(offer_mail, "o")
    before = snapshot()
    for path in (offer_path, f"{offer_path}/accept", f"{offer_path}/decline"):
        assert client.get(path).status_code in (200, 405)
    offer_page = client.get(offer_path).get_data(as_text=True)
    assert "Ta plassen" in offer_page
    assert snapshot() == before

    # Dag does not answer in time: the sweep lapses the offer and offers Cecilie the seat.
    frozen_clock.set_now(fresh(dag).offer_expires_at + timedelta(seconds=1))
    scheduler.run_sweeps(app)
    lapsed = smtp.wait_for("dag@example.no", 4)[3]
    assert lapsed["Subject"].startswith("Tilbudet om plass har gått ut")
    assert "bakerst i køen" in text_of(lapsed)
    offer_to_cecilie = smtp.wait_for("cecilie@example.no", 3)[2]
    assert offer_to_cecilie["Subject"].startswith("Du har fått tilbud om plass")
    # Dag's late answer, from the offer page opened before the deadline, changes nothing.
    late = press(client, offer_page, "Ta plassen")
    assert "Tilbudet om plass gikk ut" in late.get_data(as_text=True)
    assert fresh(dag).state == State.LAPSED
    assert "Ta plassen" not in client.get(offer_path).get_data(as_text=True)

    # Cecilie takes the seat; a second click admits her once.
    page = client.get(link_path(offer_to_cecilie, "o")).get_data(as_text=True)
    taken = press(client, page, "Ta plassen")
    assert "Du har plass på møtet" in taken.get_data(as_text=True)
    replay = press(client, page, "Ta plassen")
    assert "Du har plass på møtet" in replay.get_data(as_text=True)
    admitted = smtp.wait_for("cecilie@example.no", 4)[3]
    assert admitted["Subject"].startswith("Du har plass")
    assert "invitasjon.ics" in attachments(admitted)
    assert (
        count_rows(
            OutboxMessage,
            OutboxMessage.recipient == "cecilie@example.no",
            OutboxMessage.kind == "admitted",
        )
        == 1
    )
    assert waitlist.held_seats(event) == 2


def test_cancelling_an_expired_offer_passes_the_seat_on(make_event, confirmed, frozen_clock):
    event = make_event(capacity=1)
    seated = confirmed(event, "plass@example.no")
    offered = confirmed(event, "tilbud@example.no")
    nxt = confirmed(event, "neste@example.no")
    admission.cancel(seated)
    frozen_clock.set_now(fresh(offered).offer_expires_at + timedelta(minutes=1))

    # The person gives up the offer after it expired, before the sweep ran.
    admission.cancel(offered)

    assert fresh(offered).state == State.LAPSED
    assert fresh(nxt).state == State.OFFERED


def oslo(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2031 on the clock in Oslo."""
    return datetime(2031, month, day, hour, minute, tzinfo=OSLO)


@pytest.mark.parametrize(
    "offered_at, hours, quiet, expected",
    [
        (oslo(3, 3, 21), 2, True, oslo(3, 4, 9)),
        (oslo(3, 3, 21), 2, False, oslo(3, 3, 23)),
        (oslo(3, 3, 23, 30), 1.5, True, oslo(3, 4, 9, 30)),
        (oslo(3, 3, 10), 24, True, oslo(3, 4, 20)),
        # Summer time starts 30 March 2031 at 02:00.
        (oslo(3, 29, 21), 2, True, oslo(3, 30, 9)),
        (oslo(3, 29, 9), 24, True, oslo(3, 30, 19)),
        (oslo(3, 29, 21), 24, False, oslo(3, 30, 22)),
        # Summer time ends 26 October 2031 at 03:00.
        (oslo(10, 25, 21), 2, True, oslo(10, 26, 9)),
        (oslo(10, 25, 21), 24, False, oslo(10, 26, 20)),
    ],
)
def test_offer_expiry_skips_quiet_hours(make_event, offered_at, hours, quiet, expected):
    event = make_event(
        starts_at=datetime(2031, 12, 1, 14, 0, tzinfo=OSLO), offer_hours=hours, quiet_hours=quiet
    )
    # The product always passes clock.now(), which is UTC.
    assert offer_expires_at(event, offered_at.astimezone(UTC)) == expected


def test_offer_never_lasts_past_registration_close(make_event):
    closes = datetime(2031, 3, 3, 21, 30, tzinfo=OSLO)
    event = make_event(
        starts_at=datetime(2031, 3, 4, 14, 0, tzinfo=OSLO),
        registration_closes_at=closes,
        offer_hours=2,
    )
    assert offer_expires_at(event, datetime(2031, 3, 3, 21, 0, tzinfo=OSLO)) == closes


def test_offer_made_at_21_expires_at_9_next_morning(make_event, confirmed, frozen_clock):
    event = make_event(capacity=1, offer_hours=2)
    seated = confirmed(event, "plass@example.no")
    waiting = confirmed(event, "vent@example.no")
    frozen_clock.set_now(datetime(2031, 3, 5, 21, 0, tzinfo=OSLO))
    admission.cancel(seated)
    assert fresh(waiting).offer_expires_at == datetime(2031, 3, 6, 9, 0, tzinfo=OSLO)


def test_registration_close_stops_the_waitlist(app, make_event, confirmed, frozen_clock, smtp):
    event = make_event(capacity=1)
    seated = confirmed(event, "plass@example.no")
    offered = confirmed(event, "tilbud@example.no")
    waiting = [confirmed(event, f"vent{n}@example.no") for n in range(2)]
    admission.cancel(seated)
    assert fresh(offered).offer_expires_at <= event.registration_closes_at

    frozen_clock.set_now(event.registration_closes_at)
    scheduler.run_sweeps(app)
    scheduler.run_sweeps(app)

    assert fresh(offered).state == State.LAPSED
    assert [fresh(r).state for r in waiting] == [State.WAITLISTED] * 2
    assert count_rows(OutboxMessage, OutboxMessage.kind == "offer") == 1
    for person in waiting:
        mails = smtp.wait_for(person.email, 3)  # confirm, waitlisted, closed
        closed = [m for m in mails if m["Subject"].startswith("Ingen ledig plass")]
        assert len(closed) == 1
    # A seat given up after close is not offered to anyone.
    frozen_clock.advance(timedelta(minutes=5))
    admission.cancel(fresh(waiting[0]))
    scheduler.run_sweeps(app)
    assert count_rows(OutboxMessage, OutboxMessage.kind == "offer") == 1
    assert count_rows(OutboxMessage, OutboxMessage.kind == "waitlist_closed") == 2


def test_two_schedulers_on_one_database_send_nothing_twice(
    app, tmp_path, make_event, confirmed, frozen_clock, smtp, backend
):
    # Both events first: the factory reads then writes, which must not race the mail worker.
    event = make_event(capacity=2)
    closing = make_event(capacity=1, registration_closes_at=frozen_clock.now() + timedelta(days=2))
    seated = [confirmed(event, f"plass{n}@example.no") for n in range(2)]
    waiting = [confirmed(event, f"vent{n}@example.no") for n in range(4)]
    confirmed(closing, "sist@example.no")
    confirmed(closing, "venter@example.no")
    for person in seated:
        admission.cancel(person)
    # Let the app's own worker finish sending first: moving a frozen clock by days while a
    # send is in flight would expire that sender's lease under it.
    wait_until(lambda: count_rows(OutboxMessage, OutboxMessage.state != MessageState.SENT) == 0)
    # Both offers and the other meeting's registration close are now due.
    frozen_clock.advance(timedelta(days=3))

    runs = Counter()
    schedulers = []
    for name in ("first", "second"):
        other = make_app(tmp_path, smtp.port, backend, fresh=False, SWEEP_SECONDS=0.05)
        embedded = scheduler.start_embedded(other)
        embedded.add_listener(lambda _e, name=name: runs.update([name]), EVENT_JOB_EXECUTED)
        schedulers.append((other, embedded))
    try:
        wait_until(lambda: min(runs["first"], runs["second"]) >= 10, timeout=30)
        wait_until(
            lambda: (
                count_rows(OutboxMessage, OutboxMessage.state != MessageState.SENT) == 0
                and count_rows(OutboxMessage, OutboxMessage.kind == "waitlist_closed") == 1
            ),
            timeout=30,
        )
    finally:
        for other, embedded in schedulers:
            embedded.shutdown(wait=True)
            with other.app_context():
                db.engine.dispose()

    assert [fresh(r).state for r in waiting] == [State.LAPSED] * 2 + [State.OFFERED] * 2
    kinds = Counter(
        (row.recipient, row.kind) for row in db.session.scalars(db.select(OutboxMessage))
    )
    assert kinds[("vent0@example.no", "lapsed")] == 1
    assert kinds[("vent2@example.no", "offer")] == 1
    assert kinds[("vent3@example.no", "offer")] == 1
    assert kinds[("venter@example.no", "waitlist_closed")] == 1
    assert set(kinds.values()) == {1}
    total = count_rows(OutboxMessage)
    mails = smtp.wait_for_total(total)
    assert len(mails) == total
    assert len({mail["Message-ID"] for mail in mails}) == total
