"""The .ics calendar file that comes with an admission email."""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .clock import now
from .models import Registration


def admission_ics(registration: Registration, manage_url: str) -> str:
    """A one-event calendar (METHOD:PUBLISH) for the meeting the person was admitted to."""
    event = registration.event
    calendar = Calendar()
    calendar.add("prodid", "-//signup//temamote//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"{registration.public_id}@{event.slug}")
    entry.add("dtstamp", now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    entry.add("location", event.venue)
    entry.add("description", f"Din påmelding: {manage_url}")
    entry.add("url", manage_url)
    calendar.add_component(entry)
    return calendar.to_ical().decode("utf-8")
