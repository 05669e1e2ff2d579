"""At the door, in a real browser (issue 17): a walk-in, the door list on paper, the
attendance list and the kitchen's summary."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.test_organiser import log_in


def test_add_a_walk_in_and_print_the_lists(person, organiser, make_event, confirmed):
    event = make_event(capacity=1)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård", dietary="Nøtteallergi")
    page = log_in(person)
    page.get_by_role("link", name=event.title).click()
    page.get_by_role("link", name="Innsjekking").click()
    page.get_by_role("link", name="Legg til en som ikke er påmeldt").click()
    person.check("walk-in")

    page.get_by_role("button", name="Legg til og registrer ankomst").click()
    expect(page.get_by_role("heading", name="Skjemaet har feil")).to_be_visible()
    person.check("walk-in-errors")

    page.get_by_label("Fullt navn").fill("Bjørn Åsmund Kværnø")
    page.get_by_label("Virksomhet / organisasjon").fill("Sjømat Øst AS")
    page.get_by_label("Telefon").fill("+47 911 22 333")
    page.get_by_role("button", name="Legg til og registrer ankomst").click()
    expect(page.locator("#allow_overflow-error")).to_contain_text("Møtet er fullt.")
    person.check("walk-in-full")

    page.get_by_label("Over kapasitet: gi plass selv om møtet er fullt").check()
    page.get_by_role("button", name="Legg til og registrer ankomst").click()
    expect(page.get_by_text("Bjørn Åsmund Kværnø er registrert som ankommet.")).to_be_visible()

    page.get_by_role("link", name="Dørliste", exact=True).click()
    expect(page.get_by_role("cell", name="Bjørn Åsmund Kværnø")).to_be_visible()
    person.check("door-list")
    page.emulate_media(media="print")
    # On paper: the list and its header, no menus.
    expect(page.locator("nav.tabs")).to_be_hidden()
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Navn")).to_be_visible()
    person.check("door-list-print")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Oppmøteliste", exact=True).click()
    expect(page.get_by_role("cell", name="+47 911 22 333")).to_be_visible()
    person.check("attendance")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned oppmøtelisten (CSV)").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert "Bjørn Åsmund Kværnø" in content and "Kåre Ødegård" not in content

    page.get_by_role("link", name="Kjøkken", exact=True).click()
    expect(page.get_by_role("cell", name="Nøtteallergi")).to_be_visible()
    person.check("kitchen")
