"""People managing themselves, in a real browser (issue 16): bringing colleagues at sign-up,
changing one's details, and confirming a new address from the new mailbox."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import link_path
from e2e.test_organiser import log_in
from e2e.test_people import fill_signup
from signup.core import signups

EMAIL = "kari@example.no"


def test_sign_up_with_a_colleague(person, make_event, smtp):
    event = make_event(capacity=2, title="Temamøte på Ørland")
    page = person.visit(f"/events/{event.slug}/")
    fill_signup(page)
    page.get_by_text("Legg til en kollega").click()  # a <details>: no JavaScript needed
    page.get_by_label("Navn på kollega 1").fill("Bjørn Åsmund Kværnø")
    page.get_by_label("E-post til kollega 1").fill(EMAIL)  # the same address twice
    person.check("signup-colleagues")
    page.get_by_role("button", name="Meld meg på").click()
    expect(page.locator("#feil")).to_contain_text("Denne adressen står allerede i skjemaet")
    person.check("signup-colleagues-errors")
    page.get_by_label("E-post til kollega 1").fill("bjorn@example.no")
    page.get_by_label("Jeg samtykker").check()
    page.get_by_role("button", name="Meld meg på").click()
    expect(page.get_by_text("Hver av dere har fått sin egen e-post.")).to_be_visible()
    person.check("check-email-colleagues")
    assert smtp.wait_for("bjorn@example.no")[0]["Subject"].startswith("Bekreft påmeldingen")
    smtp.wait_for(EMAIL)


def test_change_details_and_confirm_a_new_address(person, organiser, make_event, confirmed, smtp):
    event = make_event(title="Temamøte på Ørland")
    confirmed(event, EMAIL, name="Kåre Ås", organisation="Sjømat Øst AS")
    admitted = smtp.wait_for(EMAIL, 2)[1]
    page = person.visit(link_path(admitted, "m"), "manage-details")
    page.get_by_text("Endre opplysningene dine").click()
    person.check("manage-details-open")
    page.get_by_label("Fullt navn").fill("Bjørn Åsmund Kværnø")
    page.get_by_label("E-post").fill("bjorn@example.no")
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_text("Endringene er lagret.")).to_be_visible()
    expect(page.get_by_text("Du har bedt om å bytte e-postadresse")).to_be_visible()
    person.check("manage-details-saved")

    [change] = smtp.wait_for("bjorn@example.no")
    page = person.visit(link_path(change, "e"), "change-email")
    page.get_by_role("button", name="Bekreft den nye adressen").click()
    expect(page.get_by_text("Den nye e-postadressen er bekreftet.")).to_be_visible()
    person.check("change-email-done")
    smtp.wait_for("bjorn@example.no", 2)

    # The organiser sees the change in the person's history: the fields, not the values.
    log_in(person)
    registration = signups.find(event, "bjorn@example.no")
    page = person.visit(f"/organiser/events/{event.slug}/people/{registration.id}")
    history = page.get_by_role("region", name="Historikk, tabell som kan rulles sideveis")
    expect(history).to_contain_text("personen endret egne opplysninger")
    expect(history).to_contain_text("navn, e-post")
    person.check("organiser-person-history")
