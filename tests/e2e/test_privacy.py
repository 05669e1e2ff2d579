"""The privacy pages in a real browser: privacy page, my data, erasing it (issue 16)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from conftest import link_path
from signup import clock

ORGANISER = {"organiser_name": "Sjømat Øst og Ærøy næringsråd", "contact_email": "post@sjomat.no"}


def test_privacy_page_my_data_and_erasing_it(person, make_event, confirmed, smtp):
    event = make_event(**ORGANISER)
    page = person.visit(f"/events/{event.slug}/", "event-with-organiser")
    page.get_by_role("link", name="Les mer om personvern og rettighetene dine").click()
    expect(page.get_by_role("heading", name="Personvern", exact=True)).to_be_visible()
    expect(page.get_by_text("Sjømat Øst og Ærøy næringsråd")).to_be_visible()
    person.check("privacy")

    confirmed(event, "kare@example.no", name="Kåre Ås", dietary="Glutenfri, takk")
    admitted = smtp.wait_for("kare@example.no", 2)[1]
    page = person.visit(link_path(admitted, "m"))
    # The details are listed once (the form to change them holds them too, folded away).
    expect(page.locator("dd", has_text="Glutenfri, takk")).to_have_count(1)
    expect(page.locator("dd", has_text="Glutenfri, takk")).to_be_visible()
    page.get_by_text("Se alt vi har lagret om deg").click()
    expect(page.get_by_role("heading", name="E-poster vi har sendt deg")).to_be_visible()
    expect(page.get_by_role("cell", name=str(admitted["Subject"]), exact=True)).to_be_visible()
    person.check("manage-my-data")

    page.get_by_role("button", name="Slett opplysningene mine").click()
    expect(page.get_by_role("heading", name="Slette opplysningene dine?")).to_be_visible()
    person.check("confirm-erase")
    page.get_by_role("button", name="Ja, slett opplysningene mine").click()
    expect(page.get_by_role("heading", name="Opplysningene dine er slettet")).to_be_visible()
    person.check("erased")


def test_erasing_after_the_meeting_started_waits(person, make_event, confirmed, smtp):
    event = make_event(**ORGANISER)
    confirmed(event, "kare@example.no", name="Kåre Ås")
    admitted = smtp.wait_for("kare@example.no", 2)[1]
    clock.set_now(event.starts_at + timedelta(minutes=10))
    page = person.visit(link_path(admitted, "m"))
    page.get_by_role("button", name="Slett opplysningene mine").click()
    expect(page.get_by_text("Vi kan derfor ikke slette opplysningene dine nå.")).to_be_visible()
    person.check("confirm-erase-later")
    page.get_by_role("button", name="Ja, slett dem når tiden er ute").click()
    expect(
        page.get_by_text("Vi har notert at du vil ha opplysningene dine slettet.")
    ).to_be_visible()
    person.check("erasure-recorded")
