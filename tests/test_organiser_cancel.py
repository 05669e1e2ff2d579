"""An organiser cancels someone: the email says who and why; the flash tells the truth."""

from html import unescape

import vobject

from conftest import fresh, press, text_of
from signup.models import State

ÅSE = "aase@sjomatnorge.no"
REASON = "Møtet er bare for medlemmer av Profilgruppa og Sjømat Norge."


def person_page(client, event, registration) -> str:
    path = f"/organiser/events/{event.slug}/people/{registration.id}"
    return client.get(path).get_data(as_text=True)


def cancel_from_dashboard(client, event, registration, **fields) -> str:
    """Press the cancel button on the person's page; returns the page it leads to."""
    page = person_page(client, event, registration)
    response = press(client, page, f"Ja, meld av {registration.name}", **fields)
    assert response.status_code == 303
    return unescape(client.get(response.location).get_data(as_text=True))


def test_the_email_says_the_organiser_cancelled_with_their_reason(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten", organisation="Sjømat Norge")
    confirmed(event, "ola@finnfjord.no", name="Ola Bråten")

    cancel_from_dashboard(organiser_client, event, åse, reason=REASON)

    assert fresh(åse).state == State.CANCELLED
    mail = smtp.wait_for(ÅSE, 3)[-1]
    text = " ".join(text_of(mail).split())
    assert "arrangøren har meldt deg av Temamøte industri." in text
    assert f"Begrunnelse fra arrangøren: {REASON}" in text
    assert "Takk for at du ga beskjed" not in text
    html = mail.get_body(("html",)).get_content()
    assert "Takk for at du ga beskjed" not in html and "Sjømat Norge." in html
    calendar = next(mail.iter_attachments()).get_payload(decode=True).decode("utf-8")
    assert vobject.readOne(calendar).method.value == "CANCEL"


def test_the_reason_is_optional(organiser_client, make_event, confirmed, smtp):
    event = make_event()
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten")
    cancel_from_dashboard(organiser_client, event, åse)
    text = " ".join(text_of(smtp.wait_for(ÅSE, 3)[-1]).split())
    assert "arrangøren har meldt deg av Temamøte industri." in text
    assert "Begrunnelse" not in text


def test_a_reason_that_is_too_long_changes_nothing(organiser_client, make_event, confirmed, smtp):
    event = make_event()
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten")
    page = cancel_from_dashboard(organiser_client, event, åse, reason="å" * 1001)
    assert "Begrunnelsen kan være høyst 1000 tegn." in page
    assert fresh(åse).state == State.ADMITTED
    assert len(smtp.wait_for(ÅSE, 2)) == 2


def test_flash_says_an_offer_went_to_the_next_person(organiser_client, make_event, confirmed):
    event = make_event(capacity=1)
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten")
    ola = confirmed(event, "ola@finnfjord.no", name="Ola Bråten")
    page = cancel_from_dashboard(organiser_client, event, åse)
    assert "Personen er meldt av og har fått e-post." in page
    assert "1 tilbud om plass er sendt til neste på ventelisten." in page
    assert fresh(ola).state == State.OFFERED


def test_flash_says_no_offer_went_out_when_nobody_waits(organiser_client, make_event, confirmed):
    event = make_event(capacity=2)
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten")
    page = cancel_from_dashboard(organiser_client, event, åse)
    assert "Ingen fikk tilbud om plassen: ventelisten er tom." in page
    assert "tilbud om plass er sendt" not in page


def test_flash_says_a_waitlisted_person_freed_no_seat(organiser_client, make_event, confirmed):
    event = make_event(capacity=1)
    confirmed(event, "ola@finnfjord.no", name="Ola Bråten")
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten")
    page = cancel_from_dashboard(organiser_client, event, åse)
    assert "Personen hadde ingen plass, så ingen fikk tilbud om plass." in page


def test_the_reason_cannot_put_markup_in_the_email(organiser_client, make_event, confirmed, smtp):
    event = make_event()
    åse = confirmed(event, ÅSE, name="Åse Ørnebråten")
    reason = 'Se <a href="https://svindel.example/">her</a> – hilsen Sjømat Norge'
    cancel_from_dashboard(organiser_client, event, åse, reason=reason)
    html = smtp.wait_for(ÅSE, 3)[-1].get_body(("html",)).get_content()
    assert "&lt;a href=&#34;https://svindel.example/&#34;&gt;her&lt;/a&gt;" in html
    assert '<a href="https://svindel.example/">' not in html
