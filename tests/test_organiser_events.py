"""Organisers make and run events in the dashboard (issue 15): create, publish, edit, cancel."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from conftest import count_rows, csrf_from, html_of, submit_signup, text_of, words_of
from signup import clock
from signup.core import events
from signup.extensions import db
from signup.models import AuditEntry, Event, EventStatus, OutboxMessage, State


def local(moment) -> str:
    """A form's local date-time for a moment (the events are in Oslo)."""
    return moment.astimezone(events.ZoneInfo("Europe/Oslo")).strftime("%Y-%m-%dT%H:%M")


def event_form(**changes) -> dict:
    """What an organiser types for a new meeting, two weeks ahead."""
    starts = clock.now() + timedelta(days=14)
    form = {
        "title": "Sjømatdagen på Senja – «Æøå»",
        "slug": "",
        "venue": "Kunnskapsparken Finnsnes, Store auditorium",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=3)),
        "timezone": "Europe/Oslo",
        "capacity": "2",
        "reserved_seats": "0",
        "offer_hours": "24",
        "quiet_hours": "y",
        "retention_days": "10",
        "description": "Velkommen til **Sjømatdagen**.",
        "briefing": "Hold avstand og vask hendene.",
        "organiser_name": "Sjømatklyngen Senja",
        "contact_email": "post@sjomatklyngen.no",
        "groups-0-label": "Medlemsbedrift i Sjømatklyngen",
        "groups-0-rank": "1",
        "groups-1-label": "Andre",
        "groups-1-rank": "2",
        "groups-2-label": "",
        "groups-2-rank": "1",
    }
    form.update(changes)
    return form


def post(client, path: str, expect: int = 303, **data):
    token = csrf_from(client.get("/organiser/").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == expect, response.get_data(as_text=True)[:800]
    return response


def create(client, **changes) -> Event:
    post(client, "/organiser/events/new", **event_form(**changes))
    db.session.expire_all()
    return db.session.scalars(db.select(Event).order_by(Event.id.desc())).first()


def test_an_organiser_creates_a_draft_the_public_cannot_see(organiser_client, app):
    event = create(organiser_client)

    assert event.slug == "sjomatdagen-pa-senja-aeoa"
    assert event.status == EventStatus.DRAFT
    assert [(g.key, g.label, g.rank) for g in event.groups] == [
        ("medlemsbedrift-i-sjomatklyngen", "Medlemsbedrift i Sjømatklyngen", 1),
        ("andre", "Andre", 2),
    ]
    assert (event.capacity, event.contact_email) == (2, "post@sjomatklyngen.no")
    assert local(event.starts_at) == event_form()["starts_at"]
    preview = organiser_client.get(f"/organiser/events/{event.slug}/preview")
    assert preview.status_code == 200
    assert "Forhåndsvisning for arrangører" in preview.get_data(as_text=True)
    public = app.test_client()
    assert public.get(f"/events/{event.slug}/").status_code == 404
    assert "Sjømatdagen" not in public.get("/").get_data(as_text=True)


def test_publishing_opens_sign_up(organiser_client, app):
    event = create(organiser_client)

    post(organiser_client, f"/organiser/events/{event.slug}/publish")

    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    assert (
        submit_signup(organiser_client, event, "aase@sjomatklyngen.no", "andre").status_code == 303
    )
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.detail) == ("event_status", "draft -> published")


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("title", "", "Dette feltet må fylles ut."),
        ("capacity", "mange", "Ikke en gyldig heltallsverdi"),
        ("capacity", "-3", "Antall plasser må være mellom 0 og 100 000."),
        ("ends_at", "2031-01-01T10:00", "Slutten må være etter starten."),
        ("contact_email", "Sjømat Norge", "Skriv en gyldig e-postadresse"),
        ("slug", "Æøå møte", "Adressen kan bare ha a–z, 0–9 og -"),
        ("groups-0-label", "", "Lag minst én gruppe."),
    ],
)
def test_field_errors_are_shown_and_nothing_is_saved(organiser_client, field, typed, message):
    changes = {field: typed}
    if field == "groups-0-label":
        changes["groups-1-label"] = ""
    response = post(organiser_client, "/organiser/events/new", expect=422, **event_form(**changes))

    assert message in response.get_data(as_text=True)
    assert count_rows(Event) == 0


def test_an_address_in_use_is_refused(organiser_client, make_event):
    make_event(slug="sjomatdagen")

    response = post(
        organiser_client, "/organiser/events/new", expect=422, **event_form(slug="sjomatdagen")
    )

    assert "Adressen er i bruk" in response.get_data(as_text=True)
    assert count_rows(Event) == 1
