"""Handing a seat to a colleague, in a real browser: every new page through axe and vnu."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import link_path
from e2e.conftest import SCREENS
from e2e.test_organiser import log_in
from signup.core import settings

GIVER = "bjorn@finnfjord.no"


def seated(make_event, confirmed, smtp):
    event = make_event(capacity=1, title="Temamøte på Ørland")
    confirmed(event, GIVER, name="Bjørn Åsmund Kværnø", organisation="Sjømat Øst AS")
    return event, link_path(smtp.wait_for(GIVER, 2)[1], "m")


def hand_over(person, manage: str, email: str):
    page = person.visit(manage, "status-may-hand-over")
    page.get_by_role("link", name="Gi plassen til en kollega").click()
    expect(page.get_by_role("heading", name="Gi plassen til en kollega")).to_be_visible()
    person.check("handover-start")
    page.get_by_role("button", name="Send plassen til kollegaen").click()
    expect(page.locator("#feil")).to_contain_text("Skjemaet har feil")
    person.check("handover-start-errors")
    page.get_by_label("Kollegaens fulle navn").fill("Åse Ødegård")
    page.get_by_label("E-post").fill(email)
    page.get_by_role("button", name="Send plassen til kollegaen").click()
    expect(page.get_by_text("Vi har sendt kollegaen din en e-post")).to_be_visible()
    person.check("status-handover-pending")
    return page


@SCREENS
def test_hand_a_seat_to_a_colleague(person, make_event, confirmed, smtp):
    event, manage = seated(make_event, confirmed, smtp)
    hand_over(person, manage, "ase@finnfjord.no")
    invite = smtp.wait_for("ase@finnfjord.no")[0]
    page = person.visit(link_path(invite, "h"), "handover-open")
    page.get_by_role("button", name="Ta plassen").click()
    expect(page.get_by_text("Plassen er din.")).to_be_visible()
    person.check("handover-accepted")
    page = person.visit(manage, "status-transferred")
    expect(page.get_by_text("Plassen din er overført til en kollega.")).to_be_visible()
    smtp.wait_for(GIVER, 3)  # the giver's "handed over" email, checked by vnu at the end


@SCREENS
def test_withdraw_a_handover_and_the_colleagues_link(person, make_event, confirmed, smtp):
    event, manage = seated(make_event, confirmed, smtp)
    page = hand_over(person, manage, "ase@finnfjord.no")
    page.get_by_role("button", name="Trekk tilbake overføringen").click()
    expect(page.get_by_text("Du har trukket tilbake overføringen.")).to_be_visible()
    person.check("status-handover-withdrawn")
    page = person.visit(link_path(smtp.wait_for("ase@finnfjord.no")[0], "h"), "handover-gone")
    expect(page.get_by_text("har trukket tilbake tilbudet")).to_be_visible()


@SCREENS
def test_the_organiser_approves_a_colleague_off_the_member_list(
    person, organiser, make_event, confirmed, smtp
):
    event, manage = seated(make_event, confirmed, smtp)
    settings.change_domains(event, "medlem", ["finnfjord.no"], by="drift")
    hand_over(person, manage, "ase@sjomat-ost.no")
    page = person.visit(link_path(smtp.wait_for("ase@sjomat-ost.no")[0], "h"))
    page.get_by_role("button", name="Ta plassen").click()
    expect(page.get_by_text("Takk! Du har sagt ja til plassen.")).to_be_visible()
    person.check("handover-awaiting-approval")
    person.visit(manage, "status-handover-awaiting")

    page = log_in(person)
    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_text("Overføringer som venter på godkjenning (1)")).to_be_visible()
    person.check("dashboard-handover-awaiting")
    page.get_by_role("link", name="Se personen").click()
    person.check("person-handover-awaiting")
    page.get_by_role("button", name="Godkjenn overføringen").click()
    expect(page.get_by_text("Overføringen er godkjent.")).to_be_visible()
    person.check("person-handover-approved")
