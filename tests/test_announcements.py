"""Messages from the organisers (issue 16): to a segment, personalised, exactly once.

Through the real SMTP sink: who gets a message, with whose name and link, when a scheduled
one goes (once, however many schedulers sweep), and what withdrawing, editing and the
retention sweep do to it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, Text, insert, select, update

from conftest import in_threads, link_path, make_app, text_of, wait_until, words_of
from signup import clock, scheduler, tokens
from signup.core import announcements, segments
from signup.extensions import db
from signup.models import (
    Announcement,
    AnnouncementState,
    AuditEntry,
    OutboxMessage,
    Registration,
    State,
)

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
CONTACT = {"organiser_name": "Sjømat Øst AS", "contact_email": "post@sjomat-ost.no"}
SUBJECT = "Nytt rom: Lille auditorium på Ås"
BODY = "Møtet flyttes til **Lille auditorium**.\n\n- Inngang fra gården\n- Ta med legitimasjon"


def add_people(event, states: dict[State, int]) -> list[Registration]:
    """Registrations in the given states, inserted directly (for speed), with æøå names."""
    group = event.groups[0]
    moment = clock.now() - timedelta(days=3)
    rows, number = [], 0
    for state, count in states.items():
        for _ in range(count):
            email = f"deltaker{number}@sjomat-ost.no"
            rows.append(
                {
                    "event_id": event.id,
                    "group_id": group.id,
                    "state": state,
                    "name": f"Bjørn Åsmund Kværnø {number}",
                    "email": email,
                    "email_normalised": email,
                    "organisation": "Sjømat Øst AS",
                    "language": "nb",
                    "confirm_expires_at": moment + timedelta(days=2),
                    "confirmed_at": moment,
                    "queued_at": moment + timedelta(seconds=number),
                    "offer_expires_at": clock.now() + timedelta(days=1)
                    if state == State.OFFERED
                    else None,
                }
            )
            number += 1
    db.session.execute(insert(Registration), rows)
    db.session.commit()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def copies_to(smtp, address: str) -> list:
    return [m for m in smtp.to(address) if m["Subject"] == SUBJECT]


def test_a_message_to_those_with_a_seat_reaches_exactly_them_each_with_their_own_link(
    app, client, smtp, make_event
):
    event = make_event(capacity=30, **CONTACT)
    people = add_people(event, {State.ADMITTED: 30, State.WAITLISTED: 10})
    assert segments.count(event, "seated") == 30

    sent = announcements.send(event.id, SUBJECT, BODY, "seated", by=None)
    assert sent.recipient_count == 30

    seated, waiting = people[:30], people[30:]
    wait_until(lambda: len(smtp.messages) >= 30, message="30 copies did not arrive")
    for person in seated:
        [mail] = copies_to(smtp, person.email)
        assert words_of(mail).startswith(f"Hei {person.name},")
        assert "Møtet flyttes til Lille auditorium." in words_of(mail)
        assert "<strong>Lille auditorium</strong>" in mail.get_body(("html",)).get_content()
        [reply_to] = mail["Reply-To"].addresses
        assert (reply_to.display_name, reply_to.addr_spec) == (
            "Sjømat Øst AS",
            CONTACT["contact_email"],
        )
        # Their own manage link: it names their own registration, and it opens.
        path = link_path(mail, "m")
        assert tokens.read(tokens.MANAGE, path.split("/")[2]).registration == person.public_id
        assert client.get(path).status_code == 200
    for person in waiting:
        assert copies_to(smtp, person.email) == []
    assert len(smtp.messages) == 30
    db.session.rollback()
    assert announcements.progress(db.session.get(Announcement, sent.id)) == (30, 30)


def test_each_segment_counts_and_sends_the_same_people(app, make_event):
    event = make_event(capacity=30)
    add_people(
        event, {State.ADMITTED: 4, State.WAITLISTED: 3, State.OFFERED: 2, State.CANCELLED: 5}
    )
    first = db.session.scalar(select(Registration).where(Registration.state == State.ADMITTED))
    first.checked_in_at = clock.now()
    db.session.commit()
    expected = {
        "seated": 4,
        "waitlist": 3,
        "offers": 2,
        "checked_in": 1,
        "everyone": 9,
        "group:medlem": 9,
        "group:andre": 0,
    }
    assert segments.counts(event) == expected
    for key, count in expected.items():
        assert len(segments.recipients(event, key)) == count
    with pytest.raises(segments.UnknownSegment):
        segments.count(event, "alle-i-verden")


def _schedule(event, at, segment="seated", subject=SUBJECT, body=BODY) -> int:
    return announcements.schedule(event.id, subject, body, segment, at, by=None).id


@BOTH
def test_two_schedulers_send_a_scheduled_message_exactly_once(
    app, tmp_path, smtp, backend, make_event
):
    event = make_event(capacity=12)
    people = add_people(event, {State.ADMITTED: 12})
    at = clock.now() + timedelta(days=3)
    message_id = _schedule(event, at)
    scheduler.run_sweeps(app)
    assert copies_to(smtp, people[0].email) == []

    clock.set_now(at + timedelta(seconds=5))
    second = make_app(tmp_path, smtp.port, backend, fresh=False)

    def sweep(application):
        def run():
            with application.app_context():
                announcements.send_due()
                db.session.remove()

        return run

    in_threads([sweep(app), sweep(second), sweep(app), sweep(second)])
    with second.app_context():
        db.engine.dispose()
    scheduler.run_sweeps(app)
    wait_until(lambda: len(smtp.messages) >= 12)
    db.session.rollback()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.announcement_id == message_id)
    ).all()
    assert sorted(row.registration_id for row in rows) == [p.id for p in people]
    for person in people:
        assert len(copies_to(smtp, person.email)) == 1
    sends = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "message_send")).all()
    assert len(sends) == 1


def test_recipients_are_resolved_when_a_scheduled_message_goes(app, smtp, make_event, confirmed):
    event = make_event(capacity=30)
    people = add_people(event, {State.ADMITTED: 2})
    at = clock.now() + timedelta(days=1)
    _schedule(event, at)
    late = confirmed(event, "aase.oye@sjomat-ost.no", name="Åse Øye")
    clock.set_now(at + timedelta(seconds=30))
    scheduler.run_sweeps(app)
    for address in [people[0].email, people[1].email, late.email]:
        wait_until(lambda address=address: copies_to(smtp, address))


def test_withdrawing_before_its_time_sends_nothing(app, smtp, make_event):
    event = make_event(capacity=5)
    people = add_people(event, {State.ADMITTED: 3})
    at = clock.now() + timedelta(hours=2)
    message_id = _schedule(event, at)
    assert announcements.withdraw(event, message_id, by=None)
    clock.set_now(at + timedelta(minutes=1))
    scheduler.run_sweeps(app)
    assert db.session.get(Announcement, message_id).state == AnnouncementState.WITHDRAWN
    assert (
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.announcement_id == message_id)
        ).all()
        == []
    )
    assert all(copies_to(smtp, p.email) == [] for p in people)
    # Gone is gone: it can be neither withdrawn again nor edited.
    assert not announcements.withdraw(event, message_id, by=None)
    assert not announcements.edit(
        event, message_id, SUBJECT, BODY, "seated", at + timedelta(days=1), by=None
    )


def test_editing_before_its_time_changes_what_is_sent(app, smtp, make_event):
    event = make_event(capacity=5)
    people = add_people(event, {State.ADMITTED: 1, State.WAITLISTED: 1})
    at = clock.now() + timedelta(days=3)
    message_id = _schedule(event, at, subject="Utkast", body="Gammel tekst")
    later = at + timedelta(hours=1)
    assert announcements.edit(
        event, message_id, SUBJECT, "Ny tekst om Ørland.", "everyone", later, by=None
    )
    clock.set_now(at + timedelta(minutes=5))
    scheduler.run_sweeps(app)
    assert db.session.get(Announcement, message_id).state == AnnouncementState.SCHEDULED
    clock.set_now(later + timedelta(seconds=10))
    scheduler.run_sweeps(app)
    for person in people:
        [mail] = wait_until(lambda person=person: copies_to(smtp, person.email))
        assert "Ny tekst om Ørland." in text_of(mail)
    assert not any(m["Subject"] == "Utkast" for m in smtp.messages)


def test_a_due_message_to_a_removed_group_is_withdrawn_and_the_others_still_go(
    app, smtp, make_event
):
    event = make_event(capacity=5)
    people = add_people(event, {State.ADMITTED: 2})
    at = clock.now() + timedelta(hours=1)
    orphan = _schedule(event, at, segment="group:andre")
    kept = _schedule(event, at)
    db.session.execute(
        update(Announcement).where(Announcement.id == orphan).values(segment="group:fjernet")
    )
    db.session.commit()
    clock.set_now(at + timedelta(seconds=10))
    scheduler.run_sweeps(app)
    db.session.rollback()
    assert db.session.get(Announcement, orphan).state == AnnouncementState.WITHDRAWN
    assert db.session.get(Announcement, kept).state == AnnouncementState.SENT
    for person in people:
        wait_until(lambda person=person: copies_to(smtp, person.email))


def test_a_sweep_a_minute_late_still_sends_it_once(app, smtp, make_event):
    event = make_event(capacity=5)
    people = add_people(event, {State.ADMITTED: 2})
    at = clock.now() + timedelta(days=3)
    _schedule(event, at)
    clock.set_now(at + timedelta(minutes=1))
    for _ in range(3):
        scheduler.run_sweeps(app)
    for person in people:
        wait_until(lambda person=person: copies_to(smtp, person.email))
    assert sum(len(copies_to(smtp, p.email)) for p in people) == 2


@pytest.mark.once  # the same bulk write to 30 people runs on PostgreSQL too (above)
def test_a_message_to_a_thousand_is_written_at_once_and_shows_its_progress(app, smtp, make_event):
    event = make_event(capacity=1000)
    add_people(event, {State.ADMITTED: 1000})
    # One bulk insert; the delivery worker's own thread builds and sends the copies.
    sent = announcements.send(event.id, SUBJECT, BODY, "seated", by=None)
    assert sent.recipient_count == 1000
    done, total = announcements.progress(sent)
    assert total == 1000 and done < 1000, "sending returned before the copies went out"

    def progress():
        db.session.rollback()
        return announcements.progress(sent)

    # The progress moves as the copies go out, and counts what the relay has. Every copy
    # going out is proven with 30 people above; here the test ends after the first 50 (its
    # teardown stops the worker after the email in hand).
    wait_until(lambda: progress()[0] >= 50, timeout=120, message="no progress shown")
    done, total = progress()
    assert total == 1000 and 50 <= done <= len(smtp.messages)


def test_retention_erases_the_text_of_messages_and_keeps_the_count(app, smtp, make_event):
    event = make_event(capacity=5, retention_days=10)
    add_people(event, {State.ADMITTED: 2})
    sent = announcements.send(
        event.id, "Til Bjørn Åsmund Kværnø 0", "Hei Kværnø.", "seated", by=None
    )
    pending = _schedule(event, event.ends_at + timedelta(days=20))
    wait_until(lambda: len(smtp.messages) >= 2)
    clock.set_now(event.ends_at + timedelta(days=10, minutes=1))
    scheduler.run_sweeps(app)
    db.session.rollback()
    erased = db.session.get(Announcement, sent.id)
    assert (erased.subject, erased.body, erased.recipient_count) == ("", "", 2)
    assert erased.erased_at is not None
    assert db.session.get(Announcement, pending).state == AnnouncementState.WITHDRAWN
    # No text column of any table holds the name any more (the message named him too).
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        for row in db.session.execute(select(*columns)) if columns else ():
            assert not any("Kværnø" in str(value) for value in row), table.name


def test_bad_input_to_the_core_changes_nothing(app, make_event):
    event = make_event()
    past = clock.now() - timedelta(minutes=1)
    with pytest.raises(ValueError):
        announcements.schedule(event.id, SUBJECT, BODY, "seated", past, by=None)
    with pytest.raises(segments.UnknownSegment):
        announcements.send(event.id, SUBJECT, BODY, "hele-byen", by=None)
    with pytest.raises(ValueError):
        announcements.send(event.id, "x" * 151, BODY, "seated", by=None)
    db.session.rollback()
    assert db.session.scalars(select(Announcement)).all() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []
