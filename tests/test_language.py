"""Norwegian by default, English by choice; emails in the language of the sign-up."""

from datetime import UTC, datetime

import pytest

from conftest import csrf_from, link_path, press, submit_signup, text_of
from signup.core import signups
from signup.web import timefmt

#: First pass only: the language chosen and shown does not depend on the database.
pytestmark = pytest.mark.once

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def test_norwegian_is_the_default(client, make_event):
    page = client.get(f"/events/{make_event().slug}/").get_data(as_text=True)
    assert '<html lang="nb">' in page
    assert "Ledige plasser" in page
    assert 'hreflang="en">English</a>' in page


def test_the_browser_language_is_not_a_choice(client, make_event):
    # A Norwegian meeting stays Norwegian on an English-language computer until the person
    # chooses English (issue 13, item 8).
    event = make_event(title="Temamøte på Ørland")
    page = client.get(f"/events/{event.slug}/", headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="nb">' in page
    assert "Ledige plasser" in page and "Fullt navn" in page
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Møter med påmelding" in page


def test_norwegian_content_inside_an_english_page_is_marked(client, make_event):
    event = make_event(
        title="Temamøte på Ørland",
        venue="Kantina, Brekstad",
        description="Om blåskjell og ærlig industri.",
        groups=[("medlem", "Medlem i næringsforeningen", 1), ("andre", "Andre", 2)],
    )
    client.get("/language/en")
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<h1 lang="nb">Temamøte på Ørland</h1>' in page
    assert '<dd lang="nb">Kantina, Brekstad</dd>' in page
    assert '<div class="description" lang="nb"><p>Om blåskjell' in page
    assert 'lang="nb">Medlem i næringsforeningen</label>' in page
    index = client.get("/").get_data(as_text=True)
    assert 'lang="nb">Temamøte på Ørland</a>' in index
    client.get("/language/nb")
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert 'lang="nb">Temamøte' not in page  # no marks needed on a Norwegian page


def test_a_persons_own_link_opens_in_the_language_they_signed_up_in(client, make_event, smtp):
    event = make_event(title="Temamøte på Ørland")
    client.get("/language/en")
    submit_signup(client, event, "anne@example.com", name="Anne Ødegård")
    [mail] = smtp.wait_for("anne@example.com")
    with client.session_transaction() as session:
        session.pop("language")  # as in another browser: no choice made there
    page = client.get(link_path(mail, "c")).get_data(as_text=True)
    assert '<html lang="en">' in page
    confirmed = press(client, page, "Confirm your sign-up").get_data(as_text=True)
    assert '<html lang="en">' in confirmed and "You have a seat at the meeting." in confirmed
    client.get("/language/nb")  # switching on that page wins
    manage = link_path(smtp.wait_for("anne@example.com", 2)[1], "m")
    assert "Du har plass på møtet." in client.get(manage).get_data(as_text=True)


def test_the_switch_is_remembered_in_the_session(client, make_event):
    event = make_event()
    response = client.get(f"/language/en?next=/events/{event.slug}/")
    assert response.status_code == 303 and response.location == f"/events/{event.slug}/"
    assert "Sign me up" in client.get(response.location).get_data(as_text=True)
    client.get("/language/nb?next=/")
    page = client.get(f"/events/{event.slug}/", headers=ENGLISH).get_data(as_text=True)
    assert "Meld meg på" in page  # the choice beats the browser's guess


def test_the_switch_only_returns_to_this_site(client):
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "/\\evil.no",
    ):
        assert client.get("/language/en", query_string={"next": target}).location == "/"
    assert client.get("/language/xx").status_code == 404


def test_english_errors_at_the_fields(client, make_event):
    event = make_event()
    client.get("/language/en")
    page = submit_signup(client, event, "not-an-address", name="").get_data(as_text=True)
    assert "This field is required." in page
    assert "Enter a valid email address" in page


def test_emails_come_in_the_language_of_the_sign_up(client, make_event, smtp):
    event = make_event()
    client.get("/language/en")
    assert submit_signup(client, event, "anne@example.com").status_code == 303
    assert signups.find(event, "anne@example.com").language == "en"
    [mail] = smtp.wait_for("anne@example.com")
    assert mail["Subject"] == f"Confirm your sign-up for {event.title}"
    assert "Monday 17 March 2031 at" in text_of(mail)
    page = client.get(link_path(mail, "c")).get_data(as_text=True)
    page = press(client, page, "Confirm your sign-up").get_data(as_text=True)
    assert "You have a seat at the meeting." in page

    client.get("/language/nb")
    assert submit_signup(client, event, "kari@example.no").status_code == 303
    client.get("/language/en")  # a later English request does not change Kari's language
    page = client.get("/new-link").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "event": event.slug, "email": "kari@example.no"}
    assert client.post("/new-link", data=data).status_code == 303
    mails = smtp.wait_for("kari@example.no", 2)
    assert [m["Subject"] for m in mails] == [f"Bekreft påmeldingen til {event.title}"] * 2
    assert "kl." in text_of(mails[1])


def test_dates_follow_the_language():
    moment = datetime(2021, 8, 20, 12, 0, tzinfo=UTC)
    assert timefmt.long_datetime(moment, "Europe/Oslo") == "fredag 20. august 2021 kl. 14:00"
    assert timefmt.long_datetime(moment, "Europe/Oslo", "en") == "Friday 20 August 2021 at 14:00"


def test_organiser_pages_in_english(organiser_client, make_event):
    event = make_event()
    organiser_client.get("/language/en")
    page = organiser_client.get(f"/organiser/events/{event.slug}/checkin").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Search by name, email or organisation" in page and "Check-in" in page
    export = organiser_client.get(f"/organiser/events/{event.slug}/export.csv")
    assert export.get_data(as_text=True).lstrip("\ufeff").startswith("Name;Organisation;Email")


def test_norwegian_content_in_english_organiser_pages_is_marked(organiser_client, make_event):
    event = make_event(title="Temamøte på Ørland", venue="Kantina, Brekstad")
    organiser_client.get("/language/en")
    page = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert '<h1 lang="nb">Temamøte på Ørland</h1>' in page
    assert '<span lang="nb">Kantina, Brekstad</span>' in page
    listing = organiser_client.get("/organiser/").get_data(as_text=True)
    assert 'lang="nb">Temamøte på Ørland</a>' in listing
    settings = organiser_client.get(f"/organiser/events/{event.slug}/settings")
    assert '<span lang="nb">Temamøte på Ørland</span>' in settings.get_data(as_text=True)
