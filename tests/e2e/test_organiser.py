"""What an organiser does, in a real browser: log in, check people in, export the list."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import ORGANISER_EMAIL, ORGANISER_PASSWORD
from e2e.conftest import SCREENS
from signup.extensions import db
from signup.models import MessageState, OutboxMessage


def log_in(person):
    page = person.visit("/organiser/login", "organiser-login")
    page.get_by_label("E-post").fill(ORGANISER_EMAIL)
    page.get_by_label("Passord").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Møter", exact=True)).to_be_visible()
    person.check("organiser-events")
    return page


def test_find_a_person_at_the_door_and_mark_them_arrived(person, organiser, make_event, confirmed):
    event = make_event()
    confirmed(event, "kari@example.no", name="Kari Nordmann")
    confirmed(event, "ola@example.no", name="Ola Hansen")
    page = log_in(person)
    page.get_by_role("link", name=event.title).click()
    person.check("dashboard")
    page.get_by_role("link", name="Innsjekking").click()
    search = page.get_by_label("Søk etter navn, e-post eller virksomhet")
    search.fill("kari")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_text("Ola Hansen")).to_be_hidden()
    person.check("checkin")
    page.get_by_role("button", name="Kommet").click()
    expect(page.get_by_text("Ankommet", exact=False).first).to_be_visible()
    expect(page.locator("li.arrived")).to_contain_text("Kari Nordmann")
    person.check("checkin-arrived")


@SCREENS
def test_download_the_attendee_list_and_see_the_other_pages(
    person, organiser, make_event, confirmed
):
    event = make_event(capacity=1)
    registration = confirmed(event, "kari@example.no", name="Kari Nordmann")
    confirmed(event, "ola@example.no", name="Ola Ødegård")  # on the waitlist
    page = log_in(person)
    page.get_by_role("link", name=event.title).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Deltakerliste (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert "kari@example.no" in content and "Kari Nordmann" in content

    # Two emails that failed, so the outbox page shows a "send again" form for each.
    failed = db.select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    for message in db.session.scalars(failed):
        message.state = MessageState.FAILED
    db.session.commit()
    base = f"/organiser/events/{event.slug}"
    person.visit(f"{base}/people/{registration.id}", "organiser-person")
    person.visit(f"{base}/outbox", "organiser-outbox")
    person.visit(f"{base}/waitlist", "organiser-waitlist")
    page = person.visit(f"{base}/settings", "organiser-settings")
    page.get_by_role("spinbutton", name="Antall plasser").fill("-1")
    page.get_by_role("button", name="Lagre antall plasser").click()
    expect(page.get_by_role("spinbutton", name="Antall plasser")).to_have_attribute(
        "aria-invalid", "true"
    )
    person.check("organiser-settings-error")
    person.visit("/organiser/audit", "organiser-audit")
