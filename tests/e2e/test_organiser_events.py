"""An organiser with no terminal runs a meeting in the browser (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from e2e.conftest import SCREENS
from e2e.test_organiser import log_in
from signup import clock
from signup.core import events

PERSON = "aase@finnfjord.no"


def local(moment) -> str:
    return moment.astimezone(events.ZoneInfo("Europe/Oslo")).strftime("%Y-%m-%dT%H:%M")


def calendar_entry(mail):
    part = next(p for p in mail.iter_attachments() if p.get_filename() == "invitasjon.ics")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return calendar, calendar.walk("VEVENT")[0]


def fill_new_event(page, starts) -> None:
    page.get_by_label("Tittel", exact=True).fill("Sjømatdagen på Skaland")
    page.get_by_label("Sted", exact=True).fill("Kunnskapsparken Finnsnes, Store auditorium")
    page.get_by_label("Starter", exact=True).fill(local(starts))
    page.get_by_label("Slutter", exact=True).fill(local(starts + timedelta(hours=3)))
    page.get_by_label("Antall plasser", exact=True).fill("2")
    page.locator("#groups-0-label").fill("Medlem")
    page.locator("#groups-1-label").fill("Andre")
    page.locator("#groups-1-rank").fill("2")
    page.get_by_label("Beskrivelse").fill("Velkommen til **Sjømatdagen** på Senja.")


@SCREENS
@pytest.mark.slow
def test_an_organiser_creates_publishes_edits_duplicates_and_cancels_a_meeting(
    person, organiser, confirmed, smtp
):
    page = log_in(person)
    page.get_by_role("link", name="Lag et nytt møte").click()
    person.check("organiser-event-new")
    page.get_by_role("button", name="Lagre som utkast").click()
    expect(page.locator("#feil")).to_contain_text("Tittel: Dette feltet må fylles ut.")
    person.check("organiser-event-new-errors")
    starts = clock.now() + timedelta(days=21)
    fill_new_event(page, starts)
    # The address is suggested from the title as it is typed (and by the server without it).
    expect(page.get_by_label("Adresse (slug)")).to_have_value("sjomatdagen-pa-skaland")
    page.get_by_role("button", name="Lagre som utkast").click()
    expect(page.get_by_role("heading", name="Status: Utkast")).to_be_visible()
    person.check("organiser-event-draft")
    slug = "sjomatdagen-pa-skaland"
    assert person.page.request.get(person.url(f"/events/{slug}/")).status == 404

    page.get_by_role("link", name="Forhåndsvis siden").click()
    expect(page.locator(".description strong")).to_have_text("Sjømatdagen")
    page.go_back()
    page.get_by_role("button", name="Publiser og åpne påmeldingen").click()
    expect(page.get_by_role("heading", name="Status: Publisert")).to_be_visible()
    admitted = confirmed(events.by_slug(slug), PERSON, name="Åse Bjørnå")
    assert admitted.state.value == "admitted"
    [seat_mail] = [m for m in smtp.wait_for(PERSON, 2) if m["Subject"].startswith("Du har plass")]

    page.get_by_role("link", name="Endre møtet").first.click()
    page.get_by_label("Antall plasser", exact=True).fill("0")
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_text("1 over kapasiteten")).to_be_visible()

    page.get_by_role("link", name="Endre møtet").first.click()
    page.get_by_label("Starter", exact=True).fill(local(starts + timedelta(hours=1)))
    page.get_by_label("Slutter", exact=True).fill(local(starts + timedelta(hours=4)))
    page.get_by_role("button", name="Lagre endringene").click()
    notice = page.locator("#calendar-notice")
    expect(notice).to_contain_text("1 person med plass får en oppdatert kalenderoppføring.")
    person.check("organiser-event-calendar-notice")
    notice.get_by_role("button", name="Lagre og send beskjed").click()
    expect(page.get_by_text("1 med plass får beskjed med ny kalenderfil.")).to_be_visible()

    changed = [m for m in smtp.wait_for(PERSON, 3) if m["Subject"].startswith("Endret tid")]
    assert len(changed) == 1
    _, before = calendar_entry(seat_mail)
    _, after = calendar_entry(changed[0])
    assert after["UID"] == before["UID"] and after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART") - before.decoded("DTSTART") == timedelta(hours=1)

    page.get_by_role("button", name="Kopier til et nytt møte").click()
    expect(page.get_by_label("Tittel", exact=True)).to_have_value("Sjømatdagen på Skaland")
    expect(page.get_by_label("Adresse (slug)")).to_have_value(f"{slug}-kopi")
    person.check("organiser-event-edit")

    page = person.visit(f"/organiser/events/{slug}/")
    page.get_by_label("Ja, avlys møtet.").check()
    page.get_by_role("button", name="Avlys møtet").click()
    expect(page.get_by_role("heading", name="Status: Avlyst")).to_be_visible()
    told = [m for m in smtp.wait_for(PERSON, 4) if m["Subject"].startswith("Avlyst")]
    assert len(told) == 1
    calendar, _ = calendar_entry(told[0])
    assert calendar["METHOD"] == "CANCEL"
    expect(person.visit(f"/events/{slug}/").get_by_text("Møtet er avlyst.")).to_be_visible()
