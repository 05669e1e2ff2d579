"""The day-before briefing: once per admitted person, on time, across restarts and DST."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from conftest import OSLO, csrf_from, in_threads, link_path, text_of
from signup import clock, scheduler
from signup.core import briefing
from signup.core.eventfile import default_briefing_at
from signup.extensions import db
from signup.models import OutboxMessage, Registration, State


def _briefings(smtp, address):
    return [m for m in smtp.to(address) if m["Subject"].startswith("Smittevern")]


def test_clock_across_briefing_at_briefs_each_admitted_person_once(
    app, smtp, make_event, confirmed
):
    event = make_event(capacity=2, briefing="Ta med egen penn. Vi holder vinduene åpne.")
    admitted = [confirmed(event, f"p{i}@example.no").email for i in range(2)]
    waiting = confirmed(event, "venter@example.no", "andre").email

    scheduler.run_sweeps(app)
    assert not any(_briefings(smtp, a) for a in admitted), "no briefing before briefing_at"

    clock.set_now(event.briefing_at + timedelta(seconds=1))
    scheduler.run_sweeps(app)
    scheduler.run_sweeps(app)

    for address in admitted:
        smtp.wait_for(address, 3)  # confirm, admitted, briefing
        [mail] = _briefings(smtp, address)
        body = text_of(mail)
        assert "Ta med egen penn" in body
        assert "kl. 14:00" not in body or "2031" in body
        assert "Kan du ikke komme, eller føler du deg syk? Gi plassen din videre" in body
        assert "10 dager" in body
    [reminder] = [
        m for m in smtp.wait_for(waiting, 3) if m["Subject"].startswith("Du står fortsatt")
    ]
    assert "fortsatt på venteliste som nummer 1" in " ".join(text_of(reminder).split())
    assert not _briefings(smtp, waiting)


def test_briefing_written_as_one_long_line_arrives_whole(app, smtp, make_event, confirmed):
    # SMTP allows lines of at most 998 bytes; the sink refuses longer ones, as relays may.
    paragraph = "Alle deltakere må holde én meters avstand i salen og i pausene. " * 25
    event = make_event(briefing=paragraph.strip())
    admitted = confirmed(event, "kari@example.no").email

    briefing.send_briefing(event.id, early=True)

    smtp.wait_for(admitted, 3)  # confirm, admitted, briefing
    [mail] = _briefings(smtp, admitted)
    assert " ".join(paragraph.split()) in " ".join(text_of(mail).split())


def test_briefing_text_is_only_in_the_briefing(app, smtp, make_event, confirmed):
    event = make_event(capacity=1, briefing="Unik smittevernregel nummer 7.")
    confirmed(event, "kari@example.no")
    for mail in smtp.wait_for("kari@example.no", 2):
        assert "Unik smittevernregel" not in text_of(mail)


def test_briefing_shows_local_time_in_norwegian_and_manage_link_gives_seat_away(
    app, client, smtp, make_event, confirmed
):
    starts = datetime(2031, 8, 22, 14, 0, tzinfo=OSLO)
    event = make_event(capacity=1, starts_at=starts)
    confirmed(event, "syk@example.no")
    confirmed(event, "neste@example.no", "andre")
    clock.set_now(event.briefing_at)
    scheduler.run_sweeps(app)
    [mail] = [m for m in smtp.wait_for("syk@example.no", 3) if m["Subject"].startswith("Smitte")]
    assert "fredag 22. august 2031 kl. 14:00" in text_of(mail).lower()

    manage = client.get(link_path(mail, "m")).get_data(as_text=True)
    ask = client.post(link_path(mail, "m") + "/cancel", data={"csrf_token": csrf_from(manage)})
    assert "Ja, meld meg av" in ask.get_data(as_text=True)
    done = client.post(
        link_path(mail, "m") + "/cancel",
        data={"csrf_token": csrf_from(ask.get_data(as_text=True)), "confirm": "yes"},
    )
    assert "Du er meldt av" in done.get_data(as_text=True)
    offer = smtp.wait_for("neste@example.no", 4)[-1]
    assert offer["Subject"].startswith("Du har fått tilbud om plass")


def test_admitted_after_briefing_at_gets_it_right_after_admission(app, smtp, make_event, confirmed):
    event = make_event(capacity=5)
    clock.set_now(event.briefing_at + timedelta(hours=2))
    confirmed(event, "sen@example.no")
    mails = smtp.wait_for("sen@example.no", 3)
    assert [m["Subject"].split(":")[0] for m in mails[1:]] == ["Du har plass", "Smittevern"]
    scheduler.run_sweeps(app)
    assert len(_briefings(smtp, "sen@example.no")) == 1


def test_nobody_briefed_after_the_meeting_started(app, smtp, make_event, confirmed):
    event = make_event(capacity=1)
    confirmed(event, "kari@example.no")
    clock.set_now(event.starts_at + timedelta(minutes=1))
    scheduler.run_sweeps(app)
    assert db.session.scalar(db.select(Registration.briefed_at)) is None


def test_downtime_catch_up_and_two_concurrent_sweepers_send_no_duplicates(
    app, smtp, make_event, confirmed
):
    event = make_event(capacity=30)
    people = [confirmed(event, f"p{i}@example.no").email for i in range(30)]
    # The scheduler was down at briefing_at and starts six hours later.
    clock.set_now(event.briefing_at + timedelta(hours=6))

    def sweep():
        with app.app_context():
            briefing.send_due_briefings()
            db.session.remove()

    in_threads([sweep] * 2, timeout=30)
    scheduler.run_sweeps(app)
    smtp.wait_for_total(30 * 3)
    for address in people:
        assert len(_briefings(smtp, address)) == 1, address
    kinds = db.session.scalars(
        db.select(OutboxMessage.kind).where(OutboxMessage.kind == "briefing")
    ).all()
    assert len(kinds) == 30


@pytest.mark.parametrize(
    ("meeting", "expected_utc_hour"),
    [
        # Monday after the spring change (2031-03-30): Sunday 12:00 is CEST, 10:00 UTC.
        (datetime(2031, 3, 31, 10, 0, tzinfo=OSLO), 10),
        # Monday after the autumn change (2031-10-26): Sunday 12:00 is CET, 11:00 UTC.
        (datetime(2031, 10, 27, 10, 0, tzinfo=OSLO), 11),
    ],
)
def test_default_briefing_at_is_noon_local_across_dst(meeting, expected_utc_hour):
    at = default_briefing_at(meeting, OSLO)
    assert at.astimezone(OSLO).hour == 12
    assert at.astimezone(OSLO).date() == meeting.date() - timedelta(days=1)
    assert at.utcoffset() is not None
    assert (at - at.utcoffset()).hour == expected_utc_hour


def test_briefing_cli_preview_and_send(app, runner, smtp, make_event, confirmed):
    event = make_event(capacity=3, briefing="Husk antibac.")
    for i in range(3):
        confirmed(event, f"p{i}@example.no")
    preview = runner.invoke(args=["briefing", "preview", event.slug])
    assert preview.exit_code == 0
    assert "Husk antibac." in preview.output and "Smittevern" in preview.output
    sent = runner.invoke(args=["briefing", "send", event.slug])
    assert sent.exit_code == 0, sent.output
    assert "3 briefing(s) sent" in sent.output
    again = runner.invoke(args=["briefing", "send", event.slug])
    assert "nobody to brief" in again.output
    for i in range(3):
        assert len(_briefings(smtp, f"p{i}@example.no")) <= 1
    smtp.wait_for_total(9)
    assert all(len(_briefings(smtp, f"p{i}@example.no")) == 1 for i in range(3))
    for command in ("preview", "send"):
        unknown = runner.invoke(args=["briefing", command, "finnes-ikke"])
        assert unknown.exit_code != 0 and "no event with slug" in unknown.output


def test_waiting_people_are_not_briefed(app, smtp, make_event, confirmed):
    event = make_event(capacity=0)
    confirmed(event, "venter@example.no")
    clock.set_now(event.briefing_at)
    scheduler.run_sweeps(app)
    registration = db.session.scalar(db.select(Registration))
    assert registration.state == State.WAITLISTED and registration.briefed_at is None
