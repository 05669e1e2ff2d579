"""The organiser's message page in a real browser (issue 16): write, preview, test to
yourself, schedule; every page and email passes axe-core and the Nu Html Checker."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import ORGANISER_EMAIL
from e2e.conftest import SCREENS
from e2e.test_organiser import log_in


@SCREENS
def test_write_preview_test_and_schedule_a_message(person, organiser, make_event, confirmed, smtp):
    event = make_event(
        capacity=1, organiser_name="Sjømat Øst AS", contact_email="post@sjomat-ost.no"
    )
    confirmed(event, "kari@example.no", name="Kari Ødegård")
    confirmed(event, "ola@example.no", name="Ola Ås")  # on the waitlist
    page = log_in(person)
    page.get_by_role("link", name=event.title).click()
    page.get_by_role("link", name="Meldinger").click()
    expect(page.get_by_role("heading", name="Meldinger til deltakerne")).to_be_visible()
    person.check("organiser-messages")

    page.get_by_role("button", name="Send eller planlegg meldingen").click()
    expect(page.get_by_text("Skriv et emne.").first).to_be_visible()
    person.check("organiser-messages-error")

    page.get_by_label("Mottakere").select_option("seated")
    page.get_by_label("Emne").fill("Nytt rom på Ås")
    page.get_by_label("Melding", exact=True).fill("Møtet flyttes til **Lille auditorium**.")
    page.get_by_role("button", name="Forhåndsvis").click()
    expect(page.get_by_text("Meldingen går nå til 1 mottakere")).to_be_visible()
    person.check("organiser-message-preview")

    page.get_by_role("button", name="Send en test til meg selv").click()
    expect(page.get_by_text(f"En test er sendt til {ORGANISER_EMAIL}.")).to_be_visible()
    smtp.wait_for(ORGANISER_EMAIL)

    page.get_by_label("Send senere, på tidspunktet under").check()
    page.get_by_label("Tidspunkt (lokal tid for møtet)").fill("2031-03-10T12:00")
    page.get_by_role("button", name="Send eller planlegg meldingen").click()
    expect(page.get_by_role("button", name="Trekk tilbake meldingen")).to_be_visible()
    person.check("organiser-message-scheduled")
    page.get_by_role("button", name="Trekk tilbake meldingen").click()
    expect(page.get_by_text("Meldingen er trukket tilbake og blir ikke sendt.")).to_be_visible()
    person.check("organiser-message-withdrawn")

    # Sent now: the message's page says what went to whom, and how far delivery is.
    page.get_by_role("link", name="Alle meldinger").click()
    page.get_by_label("Mottakere").select_option("everyone")
    page.get_by_label("Emne").fill("Velkommen til Ørland")
    page.get_by_label("Melding", exact=True).fill("Vi gleder oss til å se dere.")
    page.get_by_role("button", name="Send eller planlegg meldingen").click()
    expect(page.get_by_text("Meldingen sendes nå til 2 mottakere.")).to_be_visible()
    smtp.wait_for("ola@example.no", 3)
    page.reload()
    expect(page.get_by_role("link", name="Ola Ås")).to_be_visible()
    person.check("organiser-message-sent")
