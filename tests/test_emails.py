"""What people read in their email: calendar files, the organiser, wording, line width."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

from conftest import OSLO, html_of, text_of
from signup.core import admission, briefing, eventfile, events
from signup.extensions import db
from signup.mail import render
from signup.models import Registration

ORGANISER = {"organiser_name": "Sjømat Norge", "contact_email": "post@sjomatnorge.no"}
ORGANISER_ADDRESS = ("Sjømat Norge", "post@sjomatnorge.no")
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
    admission.cancel(registration)
    admission.rejoin(registration)

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
    admission.cancel(registration)
    [cancelled] = mails_with(smtp, ÅSE, 3, "Du er meldt av")
    part, _, withdrawn = calendar_of(cancelled)
    assert part.get_param("method") == "CANCEL"
    assert withdrawn.method.value == "CANCEL"
    assert withdrawn.vevent.uid.value == first.uid.value
    assert withdrawn.vevent.status.value == "CANCELLED"
    assert int(withdrawn.vevent.sequence.value) > int(first.sequence.value)
    assert "fjerner møtet fra kalenderen din" in words(text_of(cancelled))

    admission.rejoin(registration)
    [_, readmitted] = mails_with(smtp, ÅSE, 4, "Du har plass")
    again = calendar_of(readmitted)[2].vevent
    assert again.uid.value == first.uid.value
    assert again.location.value == "Lille auditorium, Kunnskapsparken Finnsnes"
    assert int(again.sequence.value) > int(withdrawn.vevent.sequence.value)


def test_leaving_the_waitlist_sends_no_calendar_file(make_event, confirmed, smtp):
    event = make_event(capacity=1)
    confirmed(event, "ola@finnfjord.no")
    waiting = confirmed(event, ÅSE, name="Åse Ørnebråten")
    admission.cancel(waiting)
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


# -- what every email says --------------------------------------------------------------

#: Kinds rendered directly below, with the context each needs.
KINDS = {
    "confirm": {},
    "status": {},
    "admitted": {},
    "waitlisted": {"position": 2},
    "offer": {},
    "lapsed": {},
    "declined": {},
    "cancelled": {},
    "waitlist_closed": {},
    "briefing": {},
    "waitlist_reminder": {"position": 2},
    "organiser_message": {
        "message_subject": "Nytt rom: Lille auditorium",
        "message_body": "Møtet flyttes til **Lille auditorium** på Ås.",
    },
}
URL = re.compile(r"https?://\S+")


@pytest.fixture
def åse(make_event, confirmed, frozen_clock):
    """Åse, admitted to an event of Sjømat Norge with a long briefing, her offer fields set."""
    briefing_text = "Alle deltakere må holde én meters avstand i salen og i pausene. " * 6
    event = make_event(title="Temamøte industri", briefing=briefing_text.strip(), **ORGANISER)
    registration = confirmed(event, ÅSE, name="Åse Ørnebråten", organisation="Sjømat Norge")
    registration.offer_expires_at = frozen_clock.now() + timedelta(hours=24)
    return registration


@pytest.mark.parametrize("kind", KINDS)
def test_every_email_names_the_organiser_and_replies_reach_them(åse, kind):
    rendered = render.render(kind, åse, **KINDS[kind])
    assert rendered.reply_to == ("Sjømat Norge", "post@sjomatnorge.no")
    assert "Arrangør: Sjømat Norge" in rendered.text
    assert "post@sjomatnorge.no" in words(rendered.text)
    assert "Arrangør: Sjømat Norge" in rendered.html
    assert 'href="mailto:post@sjomatnorge.no"' in rendered.html


@pytest.mark.parametrize("kind", KINDS)
def test_every_email_footer_promises_only_what_the_manage_page_does(åse, kind):
    rendered = render.render(kind, åse, **KINDS[kind])
    assert "Din påmelding (se eller meld deg av):" in rendered.text
    assert "se påmeldingen eller meld deg av" in rendered.html
    assert "endre" not in rendered.text.split("\n--\n")[-1]
    assert "endre påmeldingen" not in rendered.html


@pytest.mark.parametrize("kind", KINDS)
def test_plain_text_lines_are_at_most_78_characters_except_links(åse, kind):
    text = render.render(kind, åse, **KINDS[kind]).text
    long_lines = [line for line in text.split("\n") if len(line) > 78 and not URL.search(line)]
    assert long_lines == []
    assert "Åse Ørnebråten" in text


@pytest.mark.parametrize("kind", KINDS)
def test_english_emails_start_sentences_with_capitals(åse, kind):
    åse.language = "en"
    text = render.render(kind, åse, **KINDS[kind]).text
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    assert paragraphs[0] == "Hello Åse Ørnebråten,"
    lower = [p for p in paragraphs if p[0].islower() and not URL.match(p)]
    assert lower == []
    html = render.render(kind, åse, **KINDS[kind]).html
    assert re.findall(r"<(?:p|li)\b[^>]*>\s*(?:<strong>)?([a-zæøå])", html) == []


def test_email_reply_to_is_the_organiser(make_event, confirmed, smtp):
    event = make_event(**ORGANISER)
    confirmed(event, ÅSE, name="Åse Ørnebråten")
    for mail in smtp.wait_for(ÅSE, 2):
        [reply_to] = mail["Reply-To"].addresses
        assert (reply_to.display_name, reply_to.addr_spec) == ORGANISER_ADDRESS


def test_without_an_organiser_the_email_points_to_the_event_page(make_event, confirmed, smtp):
    event = make_event()
    confirmed(event, ÅSE, name="Åse Ørnebråten")
    mail = smtp.wait_for(ÅSE, 2)[1]
    assert mail["Reply-To"] is None
    assert f"Spørsmål om møtet? Se møtesiden: http://localhost/events/{event.slug}/" in text_of(
        mail
    )
    assert "Arrangør:" not in text_of(mail)
    assert f'href="http://localhost/events/{event.slug}/"' in html_of(mail)


def test_waitlist_reminder_says_when_the_meeting_is_whenever_it_is_sent(
    make_event, confirmed, smtp
):
    # Sent three days early (the organiser's `flask briefing send`): "tomorrow" would be false.
    event = make_event(capacity=1, starts_at=datetime(2031, 3, 7, 14, 0, tzinfo=OSLO))
    confirmed(event, "ola@finnfjord.no")
    confirmed(event, ÅSE, name="Åse Ørnebråten")
    briefing.send_briefing(event.id, early=True)
    [reminder] = mails_with(smtp, ÅSE, 3, "Du står fortsatt")
    for body in (words(text_of(reminder)), html_of(reminder)):
        assert "i morgen" not in body
    assert "møtet er fredag 7. mars 2031 kl. 14:00–17:00" in words(text_of(reminder))


# -- the event file ---------------------------------------------------------------------


def test_the_demo_event_file_names_the_organiser_and_contact(app):
    path = Path(app.root_path) / "events" / "temamote-industri-2021.toml"
    definition = eventfile.parse(path.read_text(encoding="utf-8"))
    assert definition.values["organiser_name"] == "Profilgruppa"
    assert definition.values["contact_email"] == "post@profilgruppa.no"
    event = events.create(definition, "drift")
    assert (event.organiser_name, event.contact_email) == ("Profilgruppa", "post@profilgruppa.no")


def test_a_bad_contact_address_in_an_event_file_names_key_and_line(app):
    path = Path(app.root_path) / "events" / "temamote-industri-2021.toml"
    text = path.read_text(encoding="utf-8").replace(
        'contact_email = "post@profilgruppa.no"', 'contact_email = "Sjømat Norge"'
    )
    line = text.splitlines().index('contact_email = "Sjømat Norge"') + 1
    with pytest.raises(
        eventfile.EventFileError, match=rf"^contact_email \(line {line}\): Skriv en gyldig e-post"
    ):
        eventfile.parse(text)
