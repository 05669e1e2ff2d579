"""Nobody can make us mail-bomb a mailbox or spam through the greeting (issue 12.3)."""

import pytest

from conftest import count_rows, submit_signup
from signup.extensions import db
from signup.models import OutboxMessage, Registration


def emails_to(fragment: str) -> int:
    return count_rows(OutboxMessage, OutboxMessage.recipient.ilike(f"%{fragment}%"))


@pytest.mark.parametrize(
    "variants",
    [
        [f"kari.ase+{n}@firma.no" for n in range(1, 7)],
        ["kari.ase@gmail.com", "kariase@gmail.com", "k.a.r.i.a.s.e@gmail.com"]
        + ["Kari.Ase+x@googlemail.com", "kariase+mote@gmail.com", "KARIASE@gmail.com"],
    ],
    ids=["plus-tags", "gmail-dots"],
)
def test_tags_and_ignored_dots_count_as_one_mailbox(client, make_event, variants):
    event = make_event()
    for address in variants[:5]:
        assert submit_signup(client, event, address, name="Kari Åse").status_code == 303

    refused = submit_signup(client, event, variants[5], name="Kari Åse")

    assert refused.status_code == 429
    assert "For mange forsøk" in refused.get_data(as_text=True)
    assert count_rows(OutboxMessage) == 5
    # What is stored is the address as typed; only the limiter folds it.
    assert db.session.scalar(db.select(Registration.email).order_by(Registration.id)) == variants[0]


@pytest.mark.parametrize(
    "name",
    [
        "Vinn en iPhone på gevinst.example",
        "Klikk http://xn--svindel-9za.no/pris",
        "www.billig-pris.no",
        "Send til kari@svindel.no",
        "Åse Ødegård hxxps://svindel.no",
    ],
)
def test_link_like_names_are_refused_with_a_clear_message(client, make_event, name):
    event = make_event()

    response = submit_signup(client, event, "offer@firma.no", name=name)

    assert response.status_code == 422
    assert "Navnet kan ikke inneholde nettadresser" in response.get_data(as_text=True)
    assert count_rows(Registration) == count_rows(OutboxMessage) == 0


@pytest.mark.parametrize(
    "name", ["Åse Ødegård-Nilsen", "J.R.R. Ødegård", "Bjørn Berg jr.", "St. Åsmund"]
)
def test_ordinary_names_with_dots_pass(client, make_event, name):
    event = make_event()
    assert submit_signup(client, event, "ase@firma.no", name=name).status_code == 303


@pytest.mark.slow  # a burst of sixty sign-ups: over 5 s
def test_sixty_colleagues_behind_one_nat_pass_in_a_minute_then_the_client_is_held(
    client, make_event
):
    event = make_event(capacity=100)
    for number in range(60):
        response = submit_signup(client, event, f"kollega{number}@bedrift.no", name="Kåre Ås")
        assert response.status_code == 303, number

    held = submit_signup(client, event, "kollega60@bedrift.no", name="Kåre Ås")

    assert held.status_code == 429
    assert "mange påmeldinger herfra eller til dette møtet" in held.get_data(as_text=True)
    assert count_rows(OutboxMessage) == 60
    # Someone elsewhere is not held up by that company's rush.
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    assert submit_signup(client, event, "annen@firma.no", name="Åsa Berg").status_code == 303


def test_one_event_takes_a_limited_number_of_sign_ups_from_everywhere(app, client, make_event):
    app.config["SIGNUPS_PER_EVENT"] = "3/minute"
    event, other = make_event(), make_event()
    for number in range(3):
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
        assert submit_signup(client, event, f"p{number}@firma.no").status_code == 303

    client.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    assert submit_signup(client, event, "p9@firma.no").status_code == 429
    assert submit_signup(client, other, "p9@firma.no").status_code == 303
    assert count_rows(OutboxMessage) == 4
