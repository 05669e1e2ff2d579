"""What people read in their email: calendar files, the organiser, wording, line width."""

import re
from datetime import datetime, timedelta

import pytest
import vobject
from icalendar import Calendar

from conftest import OSLO, html_of, text_of
from signup import admission, briefing, messages
from signup.extensions import db
from signup.models import Registration

ORGANISER = {"organiser_name": "Sjømat Norge", "contact_email": "post@sjomatnorge.no"}
ÅSE = "aase@sjomatnorge.no"


def calendar_part(mail):
    return next((p for p in mail.iter_attachments() if p.get_filename() == "invitasjon.ics"), None)


def calendar_of(mail):
    """The attached calendar, decoded strictly as UTF-8 and read by vobject (not its writer)."""
    part = calendar_part(mail)
    assert part is not None, f"no calendar file in {mail['Subject']!r}"
    text = part.get_payload(decode=True).decode("utf-8", errors="strict")
    return part, text, vobject.readOne(text)


def words(text: str) -> str:
    return " ".join(text.split())


def mails_with(smtp, address: str, count: int, subject_start: str):
    return [m for m in smtp.wait_for(address, count) if m["Subject"].startswith(subject_start)]


# -- the calendar file ----------------------------------------------------------------


def test_calendar_file_is_utf8_and_reads_in_a_second_library(make_event, confirmed, smtp):
    event = make_event(title="Temamøte industri", venue="Store auditorium, Kunnskapsparken Æsøy")
    confirmed(event, ÅSE, name="Åse Ørnebråten", organisation="Sjømat Norge")

    [admitted] = mails_with(smtp, ÅSE, 2, "Du har plass")
    part, text, calendar = calendar_of(admitted)

    assert part.get_content_type() == "text/calendar"
    assert part.get_param("charset").lower() == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    assert calendar.method.value == "PUBLISH"
    entry = calendar.vevent
    assert entry.summary.value == "Temamøte industri"
    assert entry.location.value == "Store auditorium, Kunnskapsparken Æsøy"
    assert entry.description.value.startswith("Din påmelding: http://localhost/m/")
    assert int(entry.sequence.value) == 0
    assert Calendar.from_ical(text).walk("VEVENT")[0]["SUMMARY"] == "Temamøte industri"


def test_calendar_description_is_in_the_registrants_language(make_event, confirmed, smtp):
    event = make_event()
    registration = confirmed(event, ÅSE, name="Åse Ørnebråten")
    db.session.get(Registration, registration.id).language = "en"
    db.session.commit()
    admission.cancel(registration.public_id)
    admission.rejoin(registration.public_id)

    [_, again] = mails_with(smtp, ÅSE, 4, "")[1::2]
    assert again["Subject"] == "You have a seat: Temamøte industri"
    description = calendar_of(again)[2].vevent.description.value
    assert description.startswith("Your sign-up: http://localhost/m/")


def test_giving_up_a_seat_withdraws_the_calendar_entry_and_sequence_rises(
    make_event, confirmed, smtp
):
    event = make_event(capacity=5)
    registration = confirmed(event, ÅSE, name="Åse Ørnebråten")
    [admitted] = mails_with(smtp, ÅSE, 2, "Du har plass")
    first = calendar_of(admitted)[2].vevent

    # The organiser moves the meeting: the next file of the entry carries a higher SEQUENCE.
    event = db.session.get(type(event), event.id)
    event.venue = "Lille auditorium, Kunnskapsparken Finnsnes"
    db.session.commit()
    admission.cancel(registration.public_id)
    [cancelled] = mails_with(smtp, ÅSE, 3, "Du er meldt av")
    part, _, withdrawn = calendar_of(cancelled)
    assert part.get_param("method") == "CANCEL"
    assert withdrawn.method.value == "CANCEL"
    assert withdrawn.vevent.uid.value == first.uid.value
    assert withdrawn.vevent.status.value == "CANCELLED"
    assert int(withdrawn.vevent.sequence.value) > int(first.sequence.value)
    assert "fjerner møtet fra kalenderen din" in words(text_of(cancelled))

    admission.rejoin(registration.public_id)
    [_, readmitted] = mails_with(smtp, ÅSE, 4, "Du har plass")
    again = calendar_of(readmitted)[2].vevent
    assert again.uid.value == first.uid.value
    assert again.location.value == "Lille auditorium, Kunnskapsparken Finnsnes"
    assert int(again.sequence.value) > int(withdrawn.vevent.sequence.value)


def test_leaving_the_waitlist_sends_no_calendar_file(make_event, confirmed, smtp):
    event = make_event(capacity=1)
    confirmed(event, "ola@finnfjord.no")
    waiting = confirmed(event, ÅSE, name="Åse Ørnebråten")
    admission.cancel(waiting.public_id)
    [cancelled] = mails_with(smtp, ÅSE, 3, "Du er meldt av")
    assert calendar_part(cancelled) is None


def test_a_new_time_or_place_raises_the_events_calendar_sequence(make_event):
    event = make_event()
    assert event.calendar_sequence == 0
    event.venue = event.venue  # the same place is no change
    event.starts_at = event.starts_at
    db.session.commit()
    assert event.calendar_sequence == 0
    event.starts_at = event.starts_at + timedelta(hours=1)
    event.ends_at = event.ends_at + timedelta(hours=1)
    db.session.commit()
    assert event.calendar_sequence == 2
