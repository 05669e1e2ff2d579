"""Bad input on the sign-up form: the form back or a clear 4xx page; nothing stored or sent."""

import pytest
from flask import g

from conftest import count_rows, csrf_from, submit_signup
from signup.models import OutboxMessage, Registration


def nothing_stored_or_sent() -> bool:
    return count_rows(Registration) == 0 and count_rows(OutboxMessage) == 0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "Dette feltet må fylles ut."),
        ({"name": "   "}, "Dette feltet må fylles ut."),
        ({"organisation": ""}, "Dette feltet må fylles ut."),
        ({"name": "K" * 201}, "Navnet kan være høyst 200 tegn."),
        ({"organisation": "F" * 201}, "Høyst 200 tegn."),
        ({"dietary": "x" * 1001}, "Høyst 1000 tegn."),
        ({"email": ""}, "Dette feltet må fylles ut."),
        ({"email": "kari.example.no"}, "Skriv inn en gyldig e-postadresse"),
        ({"email": "kari@"}, "Skriv inn en gyldig e-postadresse"),
        ({"email": "a" * 250 + "@example.no"}, "Adressen kan være høyst 254 tegn."),
        ({"email": "kari@example.no\r\nBcc: alle@example.no"}, "Skriv inn én gyldig e-postadresse"),
        ({"email": "ørjan@example.no"}, "Delen foran @ kan ikke ha æ, ø, å"),
        ({"consent": ""}, "Du må samtykke for å melde deg på."),
        ({"name": "Kari\r\nBcc: alle@example.no"}, "linjeskift"),
        ({"name": "Kari\nNordmann"}, "linjeskift"),
        ({"group": "styret"}, "Velg et av alternativene."),
        ({"group": ""}, "Velg"),
        ({"phone": "ring meg"}, "Skriv inn et gyldig telefonnummer"),
    ],
)
def test_bad_field_gives_the_form_back_with_a_message(client, make_event, fields, message):
    event = make_event()
    response = submit_signup(client, event, fields.pop("email", "kari@example.no"), **fields)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Skjemaet har feil" in page
    assert message in page
    assert "has-error" in page
    assert "<form" in page and "Meld meg på" in page
    assert nothing_stored_or_sent()


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"csrf_token": ""}, "Skjemaet er utløpt"),  # a missing CSRF token
        ({"reference_code": "ABC-123"}, "Påmeldingen ble ikke sendt"),  # a filled honeypot
    ],
)
def test_a_form_without_its_token_or_with_the_honeypot_is_refused(client, make_event, fields, says):
    response = submit_signup(client, make_event(), "bot@example.no", **fields)
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert nothing_stored_or_sent()


def test_honeypot_is_hidden_from_people_screen_readers_and_keyboard(client, make_event):
    event = make_event()
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="reference_code" tabindex="-1" autocomplete="off"' in page


def test_link_limit_is_per_address_and_answers_in_norwegian(client, app, make_event):
    event = make_event()
    for _ in range(5):
        assert submit_signup(client, event, "felles@firma.no").status_code == 303

    refused = submit_signup(client, event, " Felles@Firma.no")
    assert refused.status_code == 429
    assert "For mange forsøk" in refused.get_data(as_text=True)

    # Another address from the same client is not limited...
    assert submit_signup(client, event, "kollega@firma.no").status_code == 303
    # ...and the limited address stays limited from another client address.
    other_client = app.test_client()
    # The test's app context (shared by every request here) caches the first client's CSRF
    # token in `g`; a second browser must get its own.
    g.pop("csrf_token", None)
    other_client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert submit_signup(other_client, event, "felles@firma.no").status_code == 429
    # New-link requests count towards the same limit.
    page = other_client.get(f"/new-link?event={event.slug}").get_data(as_text=True)
    new_link = other_client.post(
        "/new-link",
        data={"csrf_token": csrf_from(page), "event": event.slug, "email": "felles@firma.no"},
    )
    assert new_link.status_code == 429
    assert count_rows(Registration) == 2
    assert count_rows(OutboxMessage, OutboxMessage.recipient.ilike("felles@firma.no")) == 5
