"""Each event's privacy page, and who organises the meeting, on its pages and in every email."""

from __future__ import annotations

from conftest import BASE_URL, html_of, link_path, press, text_of, words_of
from signup.core import retention, signups
from signup.models import EventStatus
from signup.web.timefmt import long_datetime

ORGANISER = {
    "organiser_name": "Sjømat Øst og Ærøy næringsråd",
    "contact_email": "post@sjomat-ost.no",
}


def test_privacy_page_names_who_is_responsible_purpose_basis_retention_and_rights(
    client, make_event
):
    event = make_event(retention_days=12, **ORGANISER)
    response = client.get(f"/events/{event.slug}/personvern")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for said in (
        "Sjømat Øst og Ærøy næringsråd",
        'href="mailto:post@sjomat-ost.no"',
        "smittesporing",
        "artikkel 6 nr. 1 bokstav a",
        "12 dager etter møtet",
        long_datetime(retention.kept_until(event), event.timezone),
        "Slett opplysningene mine",
        "Datatilsynet",
    ):
        assert said in page, said


def test_privacy_page_of_a_draft_is_not_public(client, make_event):
    event = make_event(status=EventStatus.DRAFT, **ORGANISER)
    assert client.get(f"/events/{event.slug}/personvern").status_code == 404
    assert client.get("/events/finnes-ikke/personvern").status_code == 404


def test_event_page_says_who_organises_and_links_the_privacy_page(client, make_event):
    event = make_event(**ORGANISER)
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Sjømat Øst og Ærøy næringsråd" in page
    assert 'href="mailto:post@sjomat-ost.no"' in page
    assert f'href="/events/{event.slug}/personvern"' in page
    assert "Les mer om personvern og rettighetene dine" in page


def test_every_email_to_a_registrant_carries_the_privacy_link_and_the_organiser(
    app, client, make_event, sign_up, confirmed, smtp
):
    event = make_event(capacity=1, **ORGANISER)
    privacy = f"{BASE_URL}/events/{event.slug}/personvern"
    confirmed(event, "aase@firma.no", name="Åse Ødegård")
    confirmed(event, "bjorn@firma.no", name="Bjørn Åsmund Kværnø")
    sign_up(event, "per@firma.no", name="Per Ærlig")
    first_manage = link_path(smtp.wait_for("aase@firma.no", 2)[1], "m")
    page = client.get(first_manage).get_data(as_text=True)
    press(client, press(client, page, "Meld meg av").get_data(as_text=True), "Ja, meld meg av")
    signups.request_link(event, "ingen@firma.no", language="nb")

    mails = (
        smtp.wait_for("aase@firma.no", 3)  # confirm, admitted, cancelled
        + smtp.wait_for("bjorn@firma.no", 3)  # confirm, waitlisted, offer
        + smtp.wait_for("per@firma.no")  # confirm
        + smtp.wait_for("ingen@firma.no")  # no registration at this address
    )
    for mail in mails:
        assert privacy in text_of(mail), mail["Subject"]
        assert f'href="{privacy}"' in html_of(mail), mail["Subject"]
        assert "Arrangør: Sjømat Øst og Ærøy næringsråd" in words_of(mail), mail["Subject"]
        assert "post@sjomat-ost.no" in html_of(mail), mail["Subject"]
        assert mail["Reply-To"].addresses[0].addr_spec == "post@sjomat-ost.no"


def test_manage_page_links_the_privacy_page_and_lists_the_emails_sent(
    client, make_event, confirmed, smtp
):
    event = make_event(**ORGANISER)
    confirmed(event, "aase@firma.no", name="Åse Ødegård", dietary="Laktosefri, takk")
    manage = link_path(smtp.wait_for("aase@firma.no", 2)[1], "m")
    page = client.get(manage).get_data(as_text=True)
    assert f'href="/events/{event.slug}/personvern"' in page
    assert "Laktosefri, takk" in page
    assert f"Bekreft påmeldingen til {event.title}" in page
    assert "bekreftelseslenke" in page and "har plass" in page
    assert "Slett opplysningene mine" in page
    assert "Arrangør: <span" in page and "Sjømat Øst og Ærøy næringsråd" in page
