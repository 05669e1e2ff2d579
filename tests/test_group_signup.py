"""Bringing colleagues at sign-up (issue 16): one form, up to four people, each confirming
by their own email and admitted or waitlisted in the order they confirm."""

from datetime import timedelta

import pytest

from conftest import confirm_by_link, count_rows, fresh, submit_signup, text_of
from signup import clock
from signup.core import admission, signups, waitlist
from signup.models import OutboxMessage, Registration, State

COLLEAGUES = {
    "colleague1_name": "Bjørn Åsmund Kværnø",
    "colleague1_email": "bjorn@sjomat.no",
    "colleague2_name": "Åse Ødegård",
    "colleague2_email": "ase@sjomat.no",
    "colleague3_name": "Mårten Æsøy",
    "colleague3_email": "marten@sjomat.no",
}
FOUR = ["kari@sjomat.no", "bjorn@sjomat.no", "ase@sjomat.no", "marten@sjomat.no"]


def sign_up_four(client, event, **fields):
    return submit_signup(
        client,
        event,
        "kari@sjomat.no",
        group="andre",
        name="Kari Åsheim",
        organisation="Sjømat Øst AS",
        phone="+47 900 00 000",
        dietary="Laktosefri",
        **{**COLLEAGUES, **fields},
    )


def test_the_form_offers_colleagues_and_says_each_must_confirm(client, make_event):
    event = make_event()
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Legg til en kollega" in page
    assert "Hver person får sin egen e-post og må selv bekrefte påmeldingen" in page
    for number in (1, 2, 3):
        assert f'name="colleague{number}_email"' in page


def test_four_people_get_four_emails_and_are_admitted_in_the_order_they_confirm(
    client, make_event, smtp
):
    event = make_event(capacity=2)
    response = sign_up_four(client, event)
    assert response.status_code == 303
    assert "Hver av dere har fått sin egen e-post" in client.get(response.location).get_data(
        as_text=True
    )
    mails = {address: smtp.wait_for(address)[0] for address in FOUR}
    assert "Hei Bjørn Åsmund Kværnø," in text_of(mails["bjorn@sjomat.no"])
    assert "Hei Mårten Æsøy," in text_of(mails["marten@sjomat.no"])
    # Same organisation and group; phone and dietary needs are the form filler's own.
    people = {address: signups.find(event, address) for address in FOUR}
    assert {p.organisation for p in people.values()} == {"Sjømat Øst AS"}
    assert {p.group.key for p in people.values()} == {"andre"}
    assert people["bjorn@sjomat.no"].dietary == "" and people["bjorn@sjomat.no"].phone == ""
    assert people["kari@sjomat.no"].dietary == "Laktosefri"
    assert {p.state for p in people.values()} == {State.UNCONFIRMED}

    # They confirm in their own order, a minute apart; two seats: the first two to confirm
    # get them, and the next wait in the order they confirmed (not the order of the form).
    order = ["marten@sjomat.no", "ase@sjomat.no", "bjorn@sjomat.no", "kari@sjomat.no"]
    for address in order:
        clock.advance(timedelta(minutes=1))
        confirm_by_link(client, mails[address])
    states = [fresh(people[address]).state for address in order]
    assert states == [State.ADMITTED, State.ADMITTED, State.WAITLISTED, State.WAITLISTED]
    assert waitlist.position(fresh(people["bjorn@sjomat.no"])) == 1
    assert waitlist.position(fresh(people["kari@sjomat.no"])) == 2
    # A freed seat goes to the colleague who confirmed first among those waiting.
    admission.cancel(fresh(people["marten@sjomat.no"]))
    assert fresh(people["bjorn@sjomat.no"]).state == State.OFFERED
    assert fresh(people["kari@sjomat.no"]).state == State.WAITLISTED


def _nothing_signed_up() -> None:
    assert count_rows(Registration) == 0
    assert count_rows(OutboxMessage) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"colleague2_email": "KARI@sjomat.no"}, "Denne adressen står allerede i skjemaet"),
        ({"colleague3_email": "bjorn@sjomat.no"}, "Denne adressen står allerede i skjemaet"),
        ({"colleague2_email": ""}, "Skriv både navn og e-post for kollegaen"),
        ({"colleague1_name": ""}, "Skriv både navn og e-post for kollegaen"),
        ({"colleague1_email": "bjørn@sjomat.no"}, "Delen foran @ kan ikke ha æ, ø, å"),
        ({"colleague3_name": "Se www.evil.example"}, "kan ikke inneholde nettadresser"),
    ],
)
def test_bad_colleague_rows_change_nothing(client, make_event, smtp, fields, message):
    event = make_event()
    response = sign_up_four(client, event, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "<details open>" in page  # the rows show, with the error, without JavaScript
    _nothing_signed_up()


def test_each_address_counts_against_its_own_limit(client, make_event, smtp):
    event = make_event()
    # Bjørn's mailbox is sent 5 links an hour at most, as a colleague as much as by himself.
    for number in range(5):
        response = submit_signup(
            client,
            event,
            f"person{number}@sjomat.no",
            colleague1_name="Bjørn Åsmund Kværnø",
            colleague1_email="bjorn@sjomat.no",
        )
        assert response.status_code == 303
    rows = count_rows(OutboxMessage)
    response = submit_signup(
        client,
        event,
        "ny@sjomat.no",
        colleague1_name="Bjørn Åsmund Kværnø",
        colleague1_email="bjorn@sjomat.no",
    )
    assert response.status_code == 429
    assert count_rows(OutboxMessage) == rows
    assert signups.find(event, "ny@sjomat.no") is None


def test_the_client_limit_counts_every_address(app, client, make_event, smtp):
    app.config["SIGNUPS_PER_CLIENT"] = "8/minute"
    event = make_event(capacity=20)
    for batch in range(2):
        extra = {
            key: value.replace("@", f"{batch}@") if key.endswith("email") else value
            for key, value in COLLEAGUES.items()
        }
        response = submit_signup(client, event, f"kari{batch}@sjomat.no", **extra)
        assert response.status_code == 303
    # Eight addresses mailed: a ninth is one too many, whether alone or in a group.
    response = submit_signup(client, event, "ola@sjomat.no")
    assert response.status_code == 429
    assert count_rows(Registration) == 8
