"""The dashboard's message page (issue 16): count, preview, test to yourself, send, schedule,
edit and withdraw; bad input answered in Norwegian with nothing changed; organisers only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from test_announcements import SUBJECT, add_people

from conftest import ORGANISER_EMAIL, csrf_from, log_in, text_of, wait_until
from signup import clock, scheduler
from signup.core import accounts
from signup.extensions import db
from signup.models import (
    Announcement,
    AnnouncementState,
    AuditEntry,
    OutboxMessage,
    State,
)

BODY = "Rommet er endret til *Lille auditorium* på Ås."


@pytest.fixture
def meeting(make_event):
    event = make_event(
        slug="temamote",
        capacity=3,
        organiser_name="Sjømat Øst AS",
        contact_email="post@sjomat-ost.no",
    )
    people = add_people(event, {State.ADMITTED: 3, State.WAITLISTED: 2})
    return event, people


def page_of(client, event) -> str:
    return client.get(f"/organiser/events/{event.slug}/messages").get_data(as_text=True)


def post(client, event, path: str = "", **fields):
    token = csrf_from(page_of(client, event))
    data = {"csrf_token": token, "segment": "seated", "subject": SUBJECT, "body": BODY,
            "when": "now", "scheduled_at": "", **fields}  # fmt: skip
    return client.post(f"/organiser/events/{event.slug}/messages{path}", data=data)


def nothing_written() -> bool:
    db.session.rollback()
    return (
        db.session.query(Announcement).count() == 0 and db.session.query(OutboxMessage).count() == 0
    )


def test_the_page_shows_each_segment_with_its_count(organiser_client, meeting):
    event, _people = meeting
    html = page_of(organiser_client, event)
    assert "Alle med plass (3)" in html
    assert "Ventelisten (2)" in html
    assert "Alle påmeldte (med plass, tilbud eller på venteliste) (5)" in html
    assert "Gruppen Medlem (5)" in html
    assert 'href="/organiser/events/temamote/messages" aria-current="page"' in html


def test_preview_shows_both_parts_and_the_count_and_sends_nothing(organiser_client, meeting):
    event, _people = meeting
    response = post(organiser_client, event, action="preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Meldingen går nå til 3 mottakere (Alle med plass)" in html
    assert "Hei Kari Nordmann," in html  # the text part
    assert "<em>Lille auditorium</em>" in html  # the HTML part
    assert "post@sjomat-ost.no" in html  # replies reach the organiser
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert nothing_written()


def test_a_test_goes_only_to_the_organiser(organiser_client, meeting, smtp):
    event, people = meeting
    response = post(organiser_client, event, action="test")
    assert f"En test er sendt til {ORGANISER_EMAIL}." in response.get_data(as_text=True)
    [mail] = smtp.wait_for(ORGANISER_EMAIL)
    assert mail["Subject"] == f"[Test] {SUBJECT}"
    assert "Hei Kari Nordmann," in text_of(mail)
    assert "Lille auditorium" in text_of(mail)
    assert mail["Reply-To"].addresses[0].addr_spec == "post@sjomat-ost.no"
    scheduler.run_sweeps(organiser_client.application)
    assert [m["To"] for m in smtp.messages] == [ORGANISER_EMAIL]
    db.session.rollback()
    assert db.session.query(Announcement).count() == 0


def test_tests_to_yourself_are_limited_per_hour(organiser_client, meeting, smtp):
    event, _people = meeting
    for _ in range(20):
        post(organiser_client, event, action="test")
    refused = post(organiser_client, event, action="test").get_data(as_text=True)
    assert "Du har sendt mange tester den siste timen." in refused
    db.session.rollback()
    assert db.session.query(OutboxMessage).count() == 20


def test_sending_shows_what_went_to_whom_and_the_progress(organiser_client, meeting, smtp):
    event, people = meeting
    response = post(organiser_client, event, action="send")
    assert response.status_code == 303
    message_page = response.headers["Location"]
    for person in people[:3]:
        smtp.wait_for(person.email)
    wait_until(
        lambda: (
            "3 av 3 e-poster er sendt" in organiser_client.get(message_page).get_data(as_text=True)
        )
    )
    html = organiser_client.get(message_page).get_data(as_text=True)
    for person in people[:3]:
        assert person.name in html
    for person in people[3:]:
        assert person.name not in html
    listing = page_of(organiser_client, event)
    assert SUBJECT in listing and ">sendt<" in listing
    db.session.rollback()
    [entry] = db.session.query(AuditEntry).filter_by(action="message_send").all()
    assert entry.detail == "melding #1 til seated: 3 mottakere"


def test_schedule_edit_and_withdraw_through_the_page(organiser_client, meeting, smtp):
    event, people = meeting
    at = (clock.now() + timedelta(days=3)).astimezone(event.zone)
    response = post(organiser_client, event, action="send", when="later",
                    scheduled_at=at.strftime("%Y-%m-%dT%H:%M"))  # fmt: skip
    assert response.status_code == 303
    path = response.headers["Location"]
    html = organiser_client.get(path).get_data(as_text=True)
    assert "planlagt" in html and "Trekk tilbake meldingen" in html
    token = csrf_from(html)
    edited = organiser_client.post(path, data={
        "csrf_token": token, "segment": "waitlist", "subject": "Venteliste på Ørland",
        "body": BODY, "when": "later", "scheduled_at": at.strftime("%Y-%m-%dT%H:%M"),
        "action": "save"})  # fmt: skip
    assert edited.status_code == 303
    db.session.rollback()
    announcement = db.session.query(Announcement).one()
    assert (announcement.subject, announcement.segment) == ("Venteliste på Ørland", "waitlist")
    withdrawn = organiser_client.post(f"{path}/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    assert "Meldingen er trukket tilbake" in organiser_client.get(path).get_data(as_text=True)
    clock.set_now(at + timedelta(minutes=1))
    scheduler.run_sweeps(organiser_client.application)
    db.session.rollback()
    assert db.session.query(Announcement).one().state == AnnouncementState.WITHDRAWN
    assert db.session.query(OutboxMessage).count() == 0
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-3:] == ["message_schedule", "message_edit", "message_withdraw"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": ""}, "Skriv et emne."),
        ({"subject": "   "}, "Skriv et emne."),
        ({"body": ""}, "Skriv meldingen."),
        ({"subject": "Å" * 151}, "Emnet kan være høyst 150 tegn."),
        ({"body": "ø" * 5001}, "Meldingen kan være høyst 5000 tegn."),
        ({"subject": "Linje\nto"}, "Feltet kan ikke inneholde linjeskift eller kontrolltegn."),
        ({"segment": "hele-byen"}, "Velg et av alternativene."),
        ({"when": "later", "scheduled_at": ""}, "Skriv når meldingen skal sendes"),
        ({"when": "later", "scheduled_at": "2031-03-03T08:59"}, "Tidspunktet har passert."),
        ({"when": "later", "scheduled_at": "i morgen"}, "Skriv dato og klokkeslett"),
        ({"when": "later", "scheduled_at": "9999-01-01T12:00"}, "Velg en dato mellom år 2000"),
    ],
)
@pytest.mark.parametrize("action", ["send", "test", "preview"])
def test_bad_input_gets_a_norwegian_message_and_changes_nothing(
    organiser_client, meeting, smtp, fields, message, action
):
    event, _people = meeting
    response = post(organiser_client, event, action=action, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Skjemaet har feil" in html
    assert nothing_written()


def test_a_door_account_gets_403_on_every_message_page(app, client, meeting):
    event, _people = meeting
    door = accounts.create_organiser("dorvakt@sjomat-ost.no", "blåbærsyltetøy-på-vaffel")
    door.role = "door"
    db.session.commit()
    assert log_in(client, "dorvakt@sjomat-ost.no", "blåbærsyltetøy-på-vaffel").status_code == 303
    token = csrf_from(client.get("/organiser/account").get_data(as_text=True))
    base = f"/organiser/events/{event.slug}/messages"
    for path, method in [(base, "GET"), (base, "POST"), (f"{base}/1", "GET"),
                         (f"{base}/1", "POST"), (f"{base}/1/withdraw", "POST")]:  # fmt: skip
        data = {"csrf_token": token, "subject": SUBJECT, "body": BODY, "segment": "seated",
                "action": "send"} if method == "POST" else None  # fmt: skip
        assert client.open(path, method=method, data=data).status_code == 403, path
    assert nothing_written()


def test_every_form_needs_its_csrf_token(organiser_client, meeting):
    event, _people = meeting
    base = f"/organiser/events/{event.slug}/messages"
    data = {"subject": SUBJECT, "body": BODY, "segment": "seated", "when": "now", "action": "send"}
    assert organiser_client.post(base, data=data).status_code == 400
    assert organiser_client.post(f"{base}/1/withdraw").status_code == 400
    assert nothing_written()


def test_a_message_of_another_event_is_not_found(organiser_client, meeting, make_event):
    event, _people = meeting
    other = make_event(slug="annet")
    tomorrow = (clock.now() + timedelta(days=1)).astimezone(event.zone)
    post(organiser_client, event, action="send", when="later",
         scheduled_at=tomorrow.strftime("%Y-%m-%dT%H:%M"))  # fmt: skip
    db.session.rollback()
    announcement = db.session.query(Announcement).one()
    assert (
        organiser_client.get(
            f"/organiser/events/{other.slug}/messages/{announcement.id}"
        ).status_code
        == 404
    )
    token = csrf_from(page_of(organiser_client, other))
    response = organiser_client.post(
        f"/organiser/events/{other.slug}/messages/{announcement.id}/withdraw",
        data={"csrf_token": token},
    )
    assert response.status_code == 404
    assert db.session.get(Announcement, announcement.id).state == AnnouncementState.SCHEDULED
    assert re.search(r"\bplanlagt\b", page_of(organiser_client, event))
