"""The .ics calendar file: the meeting when a person is admitted, withdrawn when they leave."""

from __future__ import annotations

from flask_babel import gettext as _
from icalendar import Calendar, vCalAddress
from icalendar import Event as CalendarEvent

from ..clock import now
from ..models import Registration

PUBLISH = "PUBLISH"
CANCEL = "CANCEL"


def calendar_sequence(registration: Registration) -> int:
    """SEQUENCE of the person's entry: raised by a new time or place and by each re-issue."""
    return (registration.event.calendar_sequence or 0) + (registration.calendar_sequence or 0)


def calendar_file(registration: Registration, manage_url: str, method: str = PUBLISH) -> bytes:
    """A one-event calendar as UTF-8 bytes; CANCEL withdraws the entry PUBLISH put there.

    Texts are in the current locale: render it inside the registrant's language.
    """
    event = registration.event
    calendar = Calendar()
    calendar.add("prodid", "-//signup//temamote//NO")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = CalendarEvent()
    # The same UID every time, so a calendar replaces or removes the entry it holds.
    entry.add("uid", f"{registration.public_id}@{event.slug}")
    entry.add("sequence", calendar_sequence(registration))
    entry.add("dtstamp", now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    entry.add("location", event.venue)
    entry.add("description", _("Din påmelding: %(url)s", url=manage_url))
    entry.add("url", manage_url)
    if event.contact_email:
        organiser = vCalAddress(f"mailto:{event.contact_email}")
        if event.organiser_name:
            organiser.params["cn"] = event.organiser_name
        entry.add("organizer", organiser)
    if method == CANCEL:
        entry.add("status", "CANCELLED")
        entry.add("attendee", vCalAddress(f"mailto:{registration.email}"))
    calendar.add_component(entry)
    return calendar.to_ical()
