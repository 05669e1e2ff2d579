"""Check-in by pass at the door: the QR code from the email, the short code, and who may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_checkin_pass_email import decoded
from test_organiser_auth import alone

from conftest import OSLO, csrf_from, fill, log_in
from signup import checkin_pass, clock, tokens
from signup.core import accounts, admission, team
from signup.extensions import db
from signup.models import AuditEntry, Registration, State

ÅSE = "ase.odegard@sjomat-ost.no"
BJØRN = "bjorn.kvaerno@sjomat-ost.no"
PASSWORD = "riktig-hest-batteri-stift"
FETCH = {"X-Checkin-Scan": "1"}


@pytest.fixture
def door(make_event, confirmed):
    """An event with Åse (a seat, a dietary note) and Bjørn (waiting)."""
    event = make_event(title="Temamøte på Ærøy", capacity=1)
    confirmed(
        event,
        ÅSE,
        name="Åse Ødegård",
        organisation="Sjømat Øst AS",
        dietary="Glutenfri, nøtteallergi",
    )
    confirmed(event, BJØRN, name="Bjørn Åsmund Kværnø")
    return event


def _person(email: str) -> Registration:
    db.session.rollback()
    return db.session.scalar(db.select(Registration).where(Registration.email == email))


def _emailed_token(smtp, address: str) -> str:
    """The token in the QR code of the admission email, read back from the PNG."""
    mail = next(m for m in smtp.wait_for(address, 2) if m["Subject"].startswith("Du har plass"))
    [image] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    return decoded(image)


def _scan(client, event, token: str, headers=FETCH):
    path = f"/organiser/events/{event.slug}/checkin"
    csrf = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(f"{path}/scan", data={"csrf_token": csrf, "token": token}, headers=headers)


def _type_code(client, event, code: str):
    path = f"/organiser/events/{event.slug}/checkin"
    csrf = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(f"{path}/code", data={"csrf_token": csrf, "code": code})


def test_the_emailed_qr_code_checks_the_person_in_once(organiser_client, door, smtp):
    token = _emailed_token(smtp, ÅSE)
    clock.set_now(door.starts_at - timedelta(minutes=8))
    answer = _scan(organiser_client, door, token).get_data(as_text=True)
    assert "scan-ok" in answer
    assert "Åse Ødegård er registrert som ankommet." in answer
    assert "Sjømat Øst AS" in answer and "Glutenfri, nøtteallergi" in answer
    åse = _person(ÅSE)
    assert åse.checked_in_at == clock.now()
    [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "check_in"))
    assert entry.registration_id == åse.id

    clock.advance(timedelta(minutes=3))
    again = _scan(organiser_client, door, token).get_data(as_text=True)
    arrived_at = (door.starts_at - timedelta(minutes=8)).astimezone(OSLO).strftime("%H:%M")
    assert "scan-error" in again
    assert f"Allerede registrert ankommet kl. {arrived_at}." in again
    assert _person(ÅSE).checked_in_at == door.starts_at - timedelta(minutes=8)


def test_without_javascript_a_posted_token_answers_on_the_check_in_page(
    organiser_client, door, smtp
):
    response = _scan(organiser_client, door, _emailed_token(smtp, ÅSE), headers={})
    assert response.status_code == 303
    assert "Åse" not in response.headers["Location"]
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Åse Ødegård er registrert som ankommet." in page


@pytest.mark.parametrize(
    "spoil, words",
    [
        (lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "ikke en gyldig"),
        (lambda token: token.replace(".", "x.", 1), "ikke en gyldig"),
        (lambda token: "", "ikke en gyldig"),
        (lambda token: "x" * 5000, "ikke en gyldig"),
    ],
)
def test_a_tampered_token_is_refused(organiser_client, door, smtp, spoil, words):
    answer = _scan(organiser_client, door, spoil(_emailed_token(smtp, ÅSE))).get_data(as_text=True)
    assert "scan-error" in answer and words in answer
    assert _person(ÅSE).checked_in_at is None


@pytest.mark.parametrize("purpose", [tokens.MANAGE, tokens.CONFIRM, tokens.OFFER])
def test_a_token_of_another_purpose_is_refused(organiser_client, door, purpose):
    åse = _person(ÅSE)
    answer = _scan(organiser_client, door, tokens.sign(purpose, åse.public_id, door.id))
    assert "Koden er ikke en gyldig innsjekkingskode." in answer.get_data(as_text=True)
    assert _person(ÅSE).checked_in_at is None


def test_a_code_for_another_event_is_refused(organiser_client, door, make_event, confirmed, smtp):
    other = make_event(title="Fagdag i Bodø", slug="bodo")
    confirmed(other, "kari@sjomat-ost.no", name="Kari Ødegård")
    answer = _scan(organiser_client, door, _emailed_token(smtp, "kari@sjomat-ost.no"))
    assert "Koden gjelder et annet møte." in answer.get_data(as_text=True)
    # Nor does this event's person pass at the other event's door.
    answer = _scan(organiser_client, other, _emailed_token(smtp, ÅSE))
    assert "Koden gjelder et annet møte." in answer.get_data(as_text=True)
    assert _person(ÅSE).checked_in_at is None
    assert _person("kari@sjomat-ost.no").checked_in_at is None


def test_someone_without_a_seat_is_refused_with_the_reason(organiser_client, door, smtp):
    token = _emailed_token(smtp, ÅSE)
    admission.cancel(_person(ÅSE))
    answer = _scan(organiser_client, door, token).get_data(as_text=True)
    assert "scan-error" in answer
    assert "Har ikke plass (meldt av) og kan ikke sjekkes inn." in answer
    assert "Åse Ødegård" in answer
    assert _person(ÅSE).checked_in_at is None


def test_a_waiting_persons_pass_is_refused(organiser_client, door):
    bjørn = _person(BJØRN)
    assert bjørn.state == State.WAITLISTED
    answer = _scan(organiser_client, door, checkin_pass.token_for(bjørn.public_id, door.id))
    assert "Har ikke plass (på venteliste) og kan ikke sjekkes inn." in answer.get_data(
        as_text=True
    )
    assert _person(BJØRN).checked_in_at is None


def test_the_short_code_checks_in_without_javascript(organiser_client, door, smtp):
    åse = _person(ÅSE)
    code = åse.checkin_code
    assert len(code) == 8 and set(code) <= set(checkin_pass.CODE_ALPHABET)
    typed = f" {code[:4].lower()}-{code[4:]} "
    response = _type_code(organiser_client, door, typed)
    assert response.status_code == 303
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Åse Ødegård er registrert som ankommet." in page
    assert "Glutenfri, nøtteallergi" in page
    assert _person(ÅSE).checked_in_at is not None
    again = _type_code(organiser_client, door, code)
    assert "Allerede registrert ankommet kl." in organiser_client.get(
        again.headers["Location"]
    ).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["", "OOOOIIII", "ABC", "2345678", "ÆØÅÆØÅÆØ"])
def test_a_wrong_short_code_is_refused(organiser_client, door, typed):
    response = _type_code(organiser_client, door, typed)
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ingen påmelding til dette møtet har denne koden." in page
    assert _person(ÅSE).checked_in_at is None


def test_another_events_short_code_is_not_found_here(organiser_client, door, make_event, confirmed):
    other = make_event(title="Fagdag i Bodø", slug="bodo")
    kari = confirmed(other, "kari@sjomat-ost.no", name="Kari Ødegård")
    response = _type_code(organiser_client, door, kari.checkin_code)
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ingen påmelding til dette møtet har denne koden." in page


def _account(app, organiser, email: str, role: str, events) -> object:
    account = accounts.create_organiser(email, PASSWORD)
    team.set_access(organiser, account, role, False, [event.id for event in events])
    browser = alone(app.test_client())
    assert log_in(browser, email, PASSWORD).status_code == 303
    return browser


def test_the_door_role_scans_and_an_organiser_of_another_event_cannot(
    app, organiser, door, make_event, smtp
):
    other = make_event(title="Fagdag i Bodø", slug="bodo")
    token = _emailed_token(smtp, ÅSE)
    outsider = _account(app, organiser, "per@sjomat-nord.no", "organiser", [other])
    path = f"/organiser/events/{door.slug}/checkin"
    csrf = csrf_from(outsider.get(f"/organiser/events/{other.slug}/checkin").get_data(as_text=True))
    for action, data in (("scan", {"token": token}), ("code", {"code": "ABCD2345"})):
        refused = outsider.post(f"{path}/{action}", data={"csrf_token": csrf, **data})
        assert refused.status_code == 403
    assert _person(ÅSE).checked_in_at is None

    doorkeeper = _account(app, organiser, "dorvakt@sjomat-ost.no", "door", [door])
    answer = _scan(doorkeeper, door, token).get_data(as_text=True)
    assert "Åse Ødegård er registrert som ankommet." in answer
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "check_in"))
    assert entry.organiser_id != organiser.id


def test_no_get_checks_anyone_in(organiser_client, door, smtp):
    token = _emailed_token(smtp, ÅSE)
    path = f"/organiser/events/{door.slug}/checkin"
    assert organiser_client.get(f"{path}/scan", query_string={"token": token}).status_code == 405
    assert organiser_client.head(f"{path}/code", query_string={"code": "x"}).status_code == 405
    organiser_client.get(path, query_string={"token": token, "scan": "arrived"})
    assert _person(ÅSE).checked_in_at is None


def test_a_post_without_the_csrf_token_changes_nothing(organiser_client, door, smtp):
    token = _emailed_token(smtp, ÅSE)
    response = organiser_client.post(
        f"/organiser/events/{door.slug}/checkin/scan", data={"token": token}, headers=FETCH
    )
    assert response.status_code == 400
    assert _person(ÅSE).checked_in_at is None


def test_the_manage_page_shows_the_pass_to_a_person_with_a_seat_only(client, door, smtp):
    for address, shown in ((ÅSE, True), (BJØRN, False)):
        registration = _person(address)
        page = client.get(f"/m/{tokens.sign(tokens.MANAGE, registration.public_id)}").get_data(
            as_text=True
        )
        assert ("<svg" in page) is shown
        assert (checkin_pass.spaced(registration.checkin_code) in page) is shown


def test_short_codes_are_kept_apart_within_an_event(door):
    codes = db.session.scalars(
        db.select(Registration.checkin_code).where(Registration.event_id == door.id)
    ).all()
    assert len(codes) == len(set(codes)) == 2
    assert checkin_pass.short_code("x") == checkin_pass.short_code("x")


def test_registrations_inserted_in_bulk_get_codes_too(make_event):
    event = make_event()
    fill(event, 25)
    codes = db.session.scalars(
        db.select(Registration.checkin_code).where(Registration.event_id == event.id)
    ).all()
    assert len(codes) == 25 and None not in codes and len(set(codes)) == 25
