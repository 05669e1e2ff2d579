"""A person erases their own data from the manage page (issue 16, "your data, your rights")."""

from __future__ import annotations

import json
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text, select

from conftest import count_rows, fresh, link_path, log_in, press, words_of
from signup import clock, scheduler
from signup.core import retention
from signup.extensions import db
from signup.models import AuditEntry, OutboxMessage, Registration, State
from signup.web.timefmt import long_datetime

BJORN = {
    "name": "Bjørn Åsmund Kværnø",
    "organisation": "Sjømat Øst AS",
    "phone": "+47 912 34 567",
    "dietary": "Nøtteallergi, og gjerne fiskesuppe fra Ærøy",
}
BJORN_EMAIL = "bjorn.kvaerno@sjomat-ost.no"
ORGANISER = {"organiser_name": "Næringsforeningen i Midt-Troms", "contact_email": "post@naering.no"}


def _texts_of(value) -> list[str]:
    """A stored value as the texts a person's data could hide in (an email is parsed)."""
    if isinstance(value, bytes):
        parsed = BytesParser(policy=policy.default).parsebytes(value)
        texts = [value.decode("utf-8", "replace")]
        for part in parsed.walk():
            texts.extend(str(header) for header in part.values())
            if not part.is_multipart():
                texts.append(str(part.get_content()))
        return texts
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    return [str(value)]


def stored_text() -> str:
    """Every text, JSON and binary value in every column of every table, lower-cased."""
    db.session.rollback()
    texts = []
    for table in db.metadata.tables.values():
        columns = [
            column
            for column in table.columns
            if isinstance(column.type, String | Text | JSON | LargeBinary)
        ]
        for row in db.session.execute(select(*columns)) if columns else ():
            for value in row:
                if value is not None:
                    texts.extend(_texts_of(value))
    return "\n".join(texts).lower()


def assert_nothing_left_of_bjorn() -> None:
    stored = stored_text()
    for value in (*BJORN.values(), BJORN_EMAIL, "Kværnø", "bjorn.kvaerno"):
        assert value.lower() not in stored, value


@pytest.fixture
def bjorn_has_the_seat(make_event, confirmed, smtp):
    """An event with one seat: Bjørn has it, Øydis waits; Bjørn's manage link."""
    event = make_event(capacity=1, retention_days=10, **ORGANISER)
    confirmed(event, BJORN_EMAIL, **BJORN)
    confirmed(event, "oydis@laestad.no", name="Øydis Læstad")
    admitted = smtp.wait_for(BJORN_EMAIL, 2)[1]
    smtp.wait_for("oydis@laestad.no", 2)
    return event, link_path(admitted, "m")


def test_erasure_before_the_meeting_frees_the_seat_and_leaves_no_personal_data(
    client, bjorn_has_the_seat, smtp, organiser
):
    event, manage = bjorn_has_the_seat
    page = client.get(manage).get_data(as_text=True)
    for shown in (*BJORN.values(), BJORN_EMAIL, f"Du har plass: {event.title}", "har plass"):
        assert shown in page, shown
    assert BJORN["name"].lower() in stored_text(), "the scan finds the data while it is there"

    confirm = client.get(f"{manage}/slett")
    assert confirm.status_code == 200
    confirm_page = confirm.get_data(as_text=True)
    assert "Du blir meldt av møtet." in confirm_page
    done = press(client, confirm_page, "Ja, slett opplysningene mine")

    assert done.status_code == 200
    assert "Opplysningene dine er slettet" in done.get_data(as_text=True)
    assert BJORN["name"] not in done.get_data(as_text=True)
    offer = smtp.wait_for("oydis@laestad.no", 3)[2]
    assert "en plass er blitt ledig" in words_of(offer)
    assert link_path(offer, "o")
    assert_nothing_left_of_bjorn()
    bjorn = db.session.scalar(select(Registration).where(Registration.erased_at.is_not(None)))
    assert bjorn.state == State.CANCELLED
    assert count_rows(OutboxMessage, OutboxMessage.registration_id == bjorn.id) == 0
    [entry] = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.registration_id, entry.detail) == (
        "erased_on_request",
        bjorn.id,
        "",
    )

    again = client.get(manage)
    assert again.status_code == 410
    assert "Opplysningene dine er slettet" in again.get_data(as_text=True)
    assert client.get(f"{manage}/slett").status_code == 410

    assert log_in(client).status_code == 303
    audit_page = client.get("/organiser/audit").get_data(as_text=True)
    assert "personen slettet opplysningene sine" in audit_page and "personen selv" in audit_page
    people = client.get(f"/organiser/events/{event.slug}/?state=cancelled").get_data(as_text=True)
    assert "(opplysningene er slettet)" in people


def test_looking_changes_nothing(client, bjorn_has_the_seat, smtp):
    event, manage = bjorn_has_the_seat
    rows = count_rows(OutboxMessage)
    for path in (manage, f"{manage}/slett"):
        assert client.get(path).status_code == 200
        assert client.head(path).status_code == 200
    assert client.post(f"{manage}/slett").status_code == 400  # no CSRF token: a forged form
    bjorn = db.session.scalar(select(Registration).where(Registration.name == BJORN["name"]))
    assert (bjorn.state, bjorn.erased_at, bjorn.erasure_requested_at) == (
        State.ADMITTED,
        None,
        None,
    )
    assert count_rows(OutboxMessage) == rows
    assert count_rows(AuditEntry) == 0


def test_erasure_after_the_meeting_started_waits_for_the_end_of_retention(
    app, client, bjorn_has_the_seat, smtp
):
    event, manage = bjorn_has_the_seat
    kept_until = retention.kept_until(event)
    when = long_datetime(kept_until, event.timezone)
    clock.set_now(event.starts_at + timedelta(minutes=30))

    confirm_page = client.get(f"{manage}/slett").get_data(as_text=True)
    assert "må tas vare på for smittesporing" in confirm_page
    assert f"slettes {when}" in confirm_page
    done = press(client, confirm_page, "Ja, slett dem når tiden er ute")

    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert f"Vi har notert at du vil ha opplysningene dine slettet. De slettes {when}" in page
    bjorn = fresh(db.session.scalar(select(Registration).where(Registration.email == BJORN_EMAIL)))
    assert bjorn.state == State.ADMITTED and bjorn.erased_at is None
    assert bjorn.erasure_requested_at == clock.now()
    assert [e.action for e in db.session.scalars(select(AuditEntry))] == ["erasure_requested"]
    assert "Du har bedt om at opplysningene dine slettes" in client.get(manage).get_data(
        as_text=True
    )
    press(client, confirm_page, "Ja, slett dem når tiden er ute")  # a second press
    assert count_rows(AuditEntry) == 1

    clock.set_now(kept_until - timedelta(minutes=1))
    scheduler.run_sweeps(app)
    assert BJORN["name"].lower() in stored_text(), "kept for contact tracing until then"

    clock.set_now(kept_until + timedelta(minutes=1))
    scheduler.run_sweeps(app)
    assert_nothing_left_of_bjorn()
    assert client.get(manage).status_code == 410


def test_someone_waiting_when_the_meeting_starts_is_not_on_the_list_and_is_erased_at_once(
    client, make_event, confirmed, smtp
):
    event = make_event(capacity=0, **ORGANISER)
    confirmed(event, BJORN_EMAIL, **BJORN)
    manage = link_path(smtp.wait_for(BJORN_EMAIL, 2)[1], "m")
    clock.set_now(event.starts_at + timedelta(minutes=5))

    page = client.get(f"{manage}/slett").get_data(as_text=True)
    done = press(client, page, "Ja, slett opplysningene mine")

    assert "Opplysningene dine er slettet" in done.get_data(as_text=True)
    assert_nothing_left_of_bjorn()
