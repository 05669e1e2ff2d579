"""People change their own details from the manage page (issue 16): the exports and the next
emails follow; a new address is used only once it is confirmed from itself."""

import csv
import io
from datetime import timedelta

import pytest

from conftest import (
    confirm_by_link,
    count_rows,
    csrf_from,
    fresh,
    link_path,
    log_in,
    press,
    submit_signup,
    text_of,
    words_of,
)
from signup import clock
from signup.core import admission, signups
from signup.extensions import db
from signup.models import AuditEntry, Event, OutboxMessage, Registration, State

KARI = {"name": "Kari Åsheim", "organisation": "Sjømat Øst AS", "phone": "+47 900 00 000"}
NEW_DETAILS = {
    "name": "Bjørn Åsmund Kværnø",
    "organisation": "Finnfjord Smelteverk AS",
    "phone": "+47 411 22 333",
    "dietary": "Glutenfri, nøtteallergi",
}


@pytest.fixture
def seated(client, make_event, smtp):
    """Kari signed up and confirmed over HTTP; returns the event and her manage page path."""
    event = make_event(capacity=1)
    submit_signup(client, event, "kari@sjomat.no", **KARI)
    [confirm_mail] = smtp.wait_for("kari@sjomat.no")
    confirm_by_link(client, confirm_mail)
    admitted = smtp.wait_for("kari@sjomat.no", 2)[1]
    return event, link_path(admitted, "m")


def save(client, manage_path: str, **fields):
    """Fill in and post the manage page's details form as a browser would."""
    page = client.get(manage_path).get_data(as_text=True)
    registration = fresh(signups_by_path(manage_path))
    data = {
        "name": registration.name,
        "email": registration.pending_email or registration.email,
        "organisation": registration.organisation,
        "phone": registration.phone,
        "dietary": registration.dietary,
        **fields,
    }
    return press(client, page, "Lagre endringene", **data)


def signups_by_path(manage_path: str) -> Registration:
    from signup import tokens

    payload = tokens.read(tokens.MANAGE, manage_path.split("/")[2])
    return db.session.scalar(
        db.select(Registration).where(Registration.public_id == payload.registration)
    )


def csv_rows(organiser_client, event) -> list[list[str]]:
    response = organiser_client.get(f"/organiser/events/{event.slug}/export.csv")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_changed_details_reach_the_export_the_next_email_and_the_history(
    client, seated, smtp, organiser
):
    event, manage = seated
    page = client.get(manage).get_data(as_text=True)
    assert "Endre opplysningene dine" in page
    response = save(client, manage, **NEW_DETAILS)
    assert response.status_code == 200
    assert "Endringene er lagret" in response.get_data(as_text=True)
    registration = fresh(signups_by_path(manage))
    assert {field: getattr(registration, field) for field in NEW_DETAILS} == NEW_DETAILS
    assert registration.state == State.ADMITTED

    # The organiser's export shows the new details, and the history names the fields only.
    assert log_in(client).status_code == 303
    rows = csv_rows(client, event)
    assert any("Bjørn Åsmund Kværnø" in row and "Glutenfri, nøtteallergi" in row for row in rows)
    assert not any("Kari Åsheim" in row for row in rows)
    person = client.get(f"/organiser/events/{event.slug}/people/{registration.id}")
    person_page = person.get_data(as_text=True)
    assert "personen endret egne opplysninger" in person_page
    assert "navn, virksomhet, telefon, matbehov" in person_page
    [entry] = [e for e in _entries() if e.action == "details_changed"]
    assert entry.registration_id == registration.id and entry.organiser_id is None
    assert "Bjørn" not in entry.detail and "Glutenfri" not in entry.detail

    # The next email greets the new name.
    admission.cancel(registration)
    cancelled = smtp.wait_for("kari@sjomat.no", 3)[2]
    assert "Hei Bjørn Åsmund Kværnø," in text_of(cancelled)


def _entries() -> list[AuditEntry]:
    count_rows(AuditEntry)  # ends the session's snapshot
    return list(db.session.scalars(db.select(AuditEntry)))


def test_a_new_address_is_used_only_once_confirmed_from_itself(client, seated, smtp, organiser):
    event, manage = seated
    response = save(client, manage, email="bjorn@finnfjord.no", name="Bjørn Åsmund Kværnø")
    assert "Vi har sendt en lenke til den nye adressen" in response.get_data(as_text=True)
    registration = fresh(signups_by_path(manage))
    assert registration.email == "kari@sjomat.no"
    assert registration.pending_email == "bjorn@finnfjord.no"
    log_in(client)
    person = client.get(f"/organiser/events/{event.slug}/people/{registration.id}")
    assert "bytte e-postadresse til bjorn@finnfjord.no" in person.get_data(as_text=True)

    # The old address is told; the new one gets a link, and no manage link.
    notice = smtp.wait_for("kari@sjomat.no", 3)[2]
    assert "ba om å bytte e-postadressen" in words_of(notice)
    assert "bjorn@finnfjord.no" not in text_of(notice)
    [change] = smtp.wait_for("bjorn@finnfjord.no")
    assert change["Subject"] == f"Bekreft ny e-postadresse for påmeldingen til {event.title}"
    assert not [url for url in text_of(change).split() if "/m/" in url]
    token_path = link_path(change, "e")
    assert registration.public_id not in token_path

    # Before confirmation every email goes to the old address.
    admission.cancel(registration)
    smtp.wait_for("kari@sjomat.no", 4)
    admission.rejoin(fresh(registration))
    smtp.wait_for("kari@sjomat.no", 5)
    assert smtp.to("bjorn@finnfjord.no") == [change]

    # The link opens a page with one button; GET changes nothing.
    page = client.get(token_path)
    assert page.status_code == 200
    assert fresh(registration).email == "kari@sjomat.no"
    done = press(client, page.get_data(as_text=True), "Bekreft den nye adressen")
    assert done.status_code == 200
    assert "Den nye e-postadressen er bekreftet" in done.get_data(as_text=True)
    registration = fresh(registration)
    assert registration.email == "bjorn@finnfjord.no"
    assert registration.email_normalised == "bjorn@finnfjord.no"
    assert registration.pending_email is None
    assert registration.state == State.ADMITTED  # the seat stayed with the person
    changed = smtp.wait_for("bjorn@finnfjord.no", 2)[1]
    assert "Hei Bjørn Åsmund Kværnø," in text_of(changed)
    assert link_path(changed, "m")

    # After: emails go to the new address; the old one hears nothing more.
    before = len(smtp.to("kari@sjomat.no"))
    admission.cancel(registration)
    smtp.wait_for("bjorn@finnfjord.no", 3)
    assert len(smtp.to("kari@sjomat.no")) == before
    # The link works once.
    again = client.post(token_path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert again.status_code == 409
    assert fresh(registration).email == "bjorn@finnfjord.no"


def test_an_address_registered_by_then_is_refused_on_confirmation(client, seated, sign_up, smtp):
    event, manage = seated
    save(client, manage, email="ola@sjomat.no")
    [change] = smtp.wait_for("ola@sjomat.no")
    # The address's owner signs up for the same event meanwhile.
    sign_up(event, "ola@sjomat.no", name="Ola Ødegård")
    page = client.get(link_path(change, "e")).get_data(as_text=True)
    refused = press(client, page, "Bekreft den nye adressen")
    assert refused.status_code == 409
    assert "allerede påmeldt til dette møtet" in refused.get_data(as_text=True)
    registration = fresh(signups_by_path(manage))
    assert registration.email == "kari@sjomat.no"
    assert signups.find(event, "ola@sjomat.no").name == "Ola Ødegård"


def test_editing_after_sign_up_closed_is_refused(client, seated, smtp):
    event, manage = seated
    page = client.get(manage).get_data(as_text=True)
    clock.set_now(event.registration_closes_at + timedelta(minutes=1))
    rows = count_rows(OutboxMessage)
    response = press(
        client,
        page,
        "Lagre endringene",
        name="Bjørn Kværnø",
        email="kari@sjomat.no",
        organisation="Sjømat Øst AS",
        phone="",
        dietary="",
    )
    assert response.status_code == 409
    assert "Påmeldingen til dette møtet er stengt" in response.get_data(as_text=True)
    assert fresh(signups_by_path(manage)).name == "Kari Åsheim"
    assert count_rows(OutboxMessage) == rows
    closed = client.get(manage).get_data(as_text=True)
    assert "Lagre endringene" not in closed
    assert "opplysningene kan ikke endres her lenger" in closed


def test_a_change_email_link_after_close_changes_nothing(client, seated, smtp):
    event, manage = seated
    save(client, manage, email="bjorn@finnfjord.no")
    [change] = smtp.wait_for("bjorn@finnfjord.no")
    page = client.get(link_path(change, "e")).get_data(as_text=True)
    # Sign-up closes within the link's 48 hours.
    event = db.session.get(Event, event.id)
    event.registration_closes_at = clock.now() + timedelta(hours=1)
    db.session.commit()
    clock.set_now(clock.now() + timedelta(hours=2))
    response = press(client, page, "Bekreft den nye adressen")
    assert response.status_code == 409
    assert fresh(signups_by_path(manage)).email == "kari@sjomat.no"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Dette feltet må fylles ut."),
        ({"name": "Kari www.evil.example"}, "kan ikke inneholde nettadresser"),
        ({"email": "ikke-en-adresse"}, "gyldig e-postadresse"),
        ({"email": "bjørn@finnfjord.no"}, "Delen foran @ kan ikke ha æ, ø, å"),
        ({"phone": "ring meg"}, "gyldig telefonnummer"),
        ({"organisation": "x" * 201}, "Høyst 200 tegn."),
        ({"dietary": "nøtter\x00"}, ""),
    ],
)
def test_bad_input_changes_nothing(client, seated, smtp, fields, message):
    _event, manage = seated
    rows = count_rows(OutboxMessage)
    response = save(client, manage, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    registration = fresh(signups_by_path(manage))
    assert registration.name == "Kari Åsheim" and registration.pending_email is None
    assert registration.email == "kari@sjomat.no" and registration.dietary == ""
    assert count_rows(OutboxMessage) == rows
    assert count_rows(AuditEntry) == 0


def test_a_forged_or_foreign_manage_token_changes_nothing(client, seated, confirmed, smtp):
    event, manage = seated
    page = client.get(manage).get_data(as_text=True)
    token = manage.split("/")[2]
    response = client.post(
        f"/m/{token[:-2]}xx/details",
        data={"csrf_token": csrf_from(page), **KARI, "email": "evil@example.no"},
    )
    assert response.status_code == 400
    assert fresh(signups_by_path(manage)).pending_email is None


def test_address_changes_are_rate_limited(client, seated, smtp):
    _event, manage = seated
    for number in range(3):
        assert save(client, manage, email=f"ny{number}@finnfjord.no").status_code == 200
    response = save(client, manage, email="ny9@finnfjord.no")
    assert response.status_code == 429
    assert fresh(signups_by_path(manage)).pending_email == "ny2@finnfjord.no"
    # Other details still change.
    assert save(client, manage, name="Kari Å. Åsheim").status_code == 200


def test_unconfirmed_people_are_asked_to_confirm_first(client, make_event, smtp):
    event = make_event()
    submit_signup(client, event, "kari@sjomat.no", **KARI)
    [confirm_mail] = smtp.wait_for("kari@sjomat.no")
    manage = link_path(confirm_mail, "m")
    page = client.get(manage).get_data(as_text=True)
    assert "Lagre endringene" not in page
    registration = signups.find(event, "kari@sjomat.no")
    form_page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    response = client.post(
        f"{manage}/details",
        data={"csrf_token": csrf_from(form_page), **KARI, "name": "Bjørn", "email": "a@b.no"},
    )
    assert response.status_code == 409
    assert "Bekreft påmeldingen først" in response.get_data(as_text=True)
    assert fresh(registration).name == "Kari Åsheim"


def test_asking_again_for_the_pending_address_sends_nothing_more(client, seated, smtp):
    _event, manage = seated
    save(client, manage, email="bjorn@finnfjord.no")
    smtp.wait_for("bjorn@finnfjord.no")
    rows = count_rows(OutboxMessage)
    for spelling in ("Bjorn@Finnfjord.no", " bjorn@finnfjord.no"):
        assert save(client, manage, email=spelling).status_code == 200
    assert count_rows(OutboxMessage) == rows
    # Saving the old address again withdraws the change; the pending link stops working.
    [change] = smtp.to("bjorn@finnfjord.no")
    assert save(client, manage, email="kari@sjomat.no").status_code == 200
    assert fresh(signups_by_path(manage)).pending_email is None
    assert client.get(link_path(change, "e")).status_code == 410
