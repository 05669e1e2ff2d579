"""What registrants do, in a real browser: sign up, confirm, take an offer, give up a seat."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import link_path
from e2e.conftest import SCREENS
from signup.core import admission

EMAIL = "kari@example.no"


def fill_signup(page, email: str = EMAIL) -> None:
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-post", exact=True).fill(email)
    page.get_by_label("Virksomhet / organisasjon").fill("Finnfjord AS")
    page.get_by_label("Medlem").check()
    page.get_by_label("Jeg samtykker").check()


def test_sign_up_and_confirm_from_the_email(person, make_event, smtp):
    event = make_event(capacity=2)
    page = person.visit("/", "index")
    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_text("Ledige plasser")).to_be_visible()
    person.check("signup")

    page.get_by_role("button", name="Meld meg på").click()
    # Why, at once: the summary is in sight and has the focus, and the title says so.
    summary = page.locator("#feil")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Skjemaet har feil")
    expect(page).to_have_title(re.compile(r"^Feil: Temamøte"))
    expect(page.get_by_label("Fullt navn")).to_have_attribute("aria-invalid", "true")
    person.check("signup-errors")
    summary.get_by_role("link", name="Fullt navn: Dette feltet må fylles ut.").click()
    expect(page.get_by_label("Fullt navn")).to_be_focused()

    fill_signup(page)
    page.get_by_role("button", name="Meld meg på").click()
    expect(page.get_by_role("heading", name="Sjekk e-posten din")).to_be_visible()
    person.check("check-email")

    [mail] = smtp.wait_for(EMAIL)
    assert mail["Subject"] == f"Bekreft påmeldingen til {event.title}"
    person.visit(link_path(mail, "c"), "confirm")
    page.get_by_role("button", name="Bekreft påmeldingen").click()
    expect(page.get_by_text("Du har plass på møtet.")).to_be_visible()
    person.check("status-admitted")


def test_join_the_waitlist_then_accept_an_offer(person, make_event, confirmed, smtp):
    event = make_event(capacity=1)
    holder = confirmed(event, "ola@example.no")
    page = person.visit(f"/events/{event.slug}/")
    expect(page.get_by_text("Møtet er fullt.")).to_be_visible()
    person.check("signup-full")
    fill_signup(page)
    page.get_by_role("button", name="Meld meg på").click()
    person.visit(link_path(smtp.wait_for(EMAIL)[0], "c"))
    page.get_by_role("button", name="Bekreft påmeldingen").click()
    expect(page.get_by_text("Du står på venteliste, som nummer 1 av 1.")).to_be_visible()
    person.check("status-waitlisted")

    admission.cancel(holder)  # Ola gives up the seat; Kari is offered it at once
    offer = next(m for m in smtp.wait_for(EMAIL, 3) if "tilbud om plass" in m["Subject"])
    person.visit(link_path(offer, "o"), "offer")
    page.get_by_role("button", name="Ta plassen").click()
    expect(page.get_by_text("Du har plass på møtet.")).to_be_visible()


def test_give_up_a_seat_from_the_manage_page(person, make_event, confirmed, smtp):
    event = make_event()
    confirmed(event, EMAIL)
    admitted = next(m for m in smtp.wait_for(EMAIL, 2) if m["Subject"].startswith("Du har plass"))
    page = person.visit(link_path(admitted, "m"), "manage")
    page.get_by_role("button", name="Meld meg av").click()
    expect(page.get_by_role("heading", name="Er du sikker?")).to_be_visible()
    person.check("confirm-cancel")
    page.get_by_role("button", name="Ja, meld meg av").click()
    expect(page.get_by_text("Du er meldt av.")).to_be_visible()
    person.check("status-cancelled")


@SCREENS
def test_answer_an_offer_from_the_manage_page(person, make_event, confirmed, smtp):
    event = make_event(capacity=1, title="Temamøte på Ørland")
    holder = confirmed(event, "ola@example.no", name="Ola Ødegård")
    confirmed(event, EMAIL, name="Kåre Ås")
    waitlisted = smtp.wait_for(EMAIL)[0]
    admission.cancel(holder)  # Kåre is offered the seat; say the offer mail is lost
    smtp.wait_for(EMAIL, 2)
    page = person.visit(link_path(waitlisted, "m"), "status-offered")
    expect(page.get_by_text("Du har fått tilbud om plass.")).to_be_visible()
    page.get_by_role("button", name="Nei takk").click()
    expect(page.get_by_role("heading", name="Er du sikker?")).to_be_visible()
    person.check("confirm-decline")
    page.get_by_role("link", name="Nei, tilbake til tilbudet").click()
    page.get_by_role("button", name="Ta plassen").click()
    expect(page.get_by_text("Du har plass på møtet.")).to_be_visible()


@SCREENS
def test_other_public_pages(person, make_event):
    event = make_event()
    page = person.visit(f"/new-link?event={event.slug}", "new-link")
    page.get_by_role("button", name="Send meg en ny lenke").click()
    expect(page.locator("#feil")).to_be_focused()
    person.check("new-link-errors")
    page = person.visit("/no-such-page", "not-found")
    expect(page.get_by_role("heading", name="Fant ikke siden")).to_be_visible()
    person.visit("/m/not-a-real-token", "bad-link")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="The link does not work")).to_be_visible()
    person.visit(f"/events/{event.slug}/", "signup-english")
    expect(page.get_by_text("Seats available.")).to_be_visible()


#: What a long label does on a phone: wraps beside its button, never under it.
WRAPPING = """() => [...document.querySelectorAll('.choice')].map(choice => {
  const button = choice.querySelector('input').getBoundingClientRect();
  const lines = [...choice.querySelector('label').getClientRects()];
  return {right: button.right, left: Math.min(...lines.map(r => r.left)),
          height: Math.max(...lines.map(r => r.bottom)) - Math.min(...lines.map(r => r.top))};
})"""


@pytest.mark.parametrize("viewport", ["phone"])
def test_long_choice_labels_wrap_beside_their_buttons(person, make_event):
    long_label = "Medlem av Sjømatklyngen i Midt-Troms, eller ansatt i en av medlemsbedriftene"
    event = make_event(groups=[("medlem", long_label, 1), ("andre", "Andre", 2)])
    page = person.visit(f"/events/{event.slug}/")
    choices = page.evaluate(WRAPPING)
    assert len(choices) == 3  # two groups and the consent
    assert max(choice["height"] for choice in choices) > 40  # a long label does wrap here
    for choice in choices:
        assert choice["left"] >= choice["right"], f"a label wraps under its button: {choice}"
