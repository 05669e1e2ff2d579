"""Nobody else can rewrite a pending sign-up (issue 12.5), and a second sign-up says so (13.5)."""

import pytest

from conftest import confirm_by_link, count_rows, fresh, link_path, press, submit_signup, text_of
from signup.core import signups
from signup.models import OutboxMessage, State

VICTIM = {"name": "Kari Åsheim", "organisation": "Finnfjord AS", "dietary": "Nøtteallergi"}
STRANGER = {
    "name": "Mårten Ødegård",
    "organisation": "Annet firma AS",
    "dietary": "Ingen",
    "phone": "+47 400 00 000",
}


@pytest.fixture
def two_sign_ups(client, make_event, smtp):
    """Kari signs up; then someone else signs up with Kari's address and other details."""
    event = make_event(capacity=5)
    submit_signup(client, event, "kari@example.no", group="medlem", **VICTIM)
    submit_signup(client, event, "KARI@example.no", group="andre", **STRANGER)
    first, second = smtp.wait_for("kari@example.no", 2)
    return event, first, second


def details(registration):
    return {
        "name": registration.name,
        "organisation": registration.organisation,
        "dietary": registration.dietary,
        "group": registration.group.key,
    }


def test_later_sign_up_does_not_rewrite_the_pending_one(client, two_sign_ups):
    event, first, _second = two_sign_ups
    registration = fresh(signups.find(event, "kari@example.no"))
    assert details(registration) == {**VICTIM, "group": "medlem"}
    assert registration.phone == ""

    # Kari's own earlier link shows and confirms only what Kari typed.
    page = client.get(link_path(first, "c")).get_data(as_text=True)
    assert "Kari Åsheim" in page and "Nøtteallergi" in page
    assert "Mårten" not in page
    assert "Du har plass" in press(client, page, "Bekreft påmeldingen").get_data(as_text=True)
    registration = fresh(registration)
    assert registration.state == State.ADMITTED
    assert details(registration) == {**VICTIM, "group": "medlem"}
    assert registration.pending_details is None


def test_newer_details_take_effect_only_through_their_own_link(client, two_sign_ups):
    event, first, second = two_sign_ups
    assert second["Subject"] == f"Adressen er allerede påmeldt til {event.title}"
    body = text_of(second)
    assert "allerede påmeldt til dette møtet" in body
    assert "ikke bekreftet" in body
    # The stranger's free text never reaches Kari's mailbox.
    assert "Mårten" not in body and "Annet firma" not in body

    page = client.get(link_path(second, "c")).get_data(as_text=True)
    assert "Mårten Ødegård" in page and "Annet firma AS" in page
    confirm_by_link(client, second)

    registration = fresh(signups.find(event, "kari@example.no"))
    assert registration.state == State.ADMITTED
    assert details(registration) == {
        "name": "Mårten Ødegård",
        "organisation": "Annet firma AS",
        "dietary": "Ingen",
        "group": "andre",
    }
    assert registration.phone == "+47 400 00 000"
    # The older link, pressed later, changes nothing and sends nothing.
    rows = count_rows(OutboxMessage)
    confirm_page = client.get(link_path(first, "c")).get_data(as_text=True)
    assert "Bekreft påmeldingen</button>" not in confirm_page
    assert count_rows(OutboxMessage) == rows


def test_a_link_to_replaced_details_says_so_and_changes_nothing(client, make_event, smtp):
    event = make_event()
    submit_signup(client, event, "kari@example.no", name="Kari Åsheim")
    for number in range(1, 5):  # four later sign-ups; the newest three are kept
        submit_signup(client, event, "kari@example.no", name=f"Kari Åsheim {number}")
    mails = smtp.wait_for("kari@example.no", 5)
    oldest_pending = link_path(mails[1], "c")

    page = client.get(oldest_pending)

    assert page.status_code == 410
    assert "erstattet av en nyere" in page.get_data(as_text=True)
    assert fresh(signups.find(event, "kari@example.no")).state == State.UNCONFIRMED
    # The first and the newest links still confirm what each was sent for.
    assert "Kari Åsheim 4" in client.get(link_path(mails[4], "c")).get_data(as_text=True)
    assert "Kari Åsheim" in client.get(link_path(mails[0], "c")).get_data(as_text=True)


def test_every_email_footer_promises_only_see_or_cancel(client, make_event, confirmed, smtp):
    event = make_event()
    confirmed(event, "kari@example.no", name="Kari Åsheim")
    for mail in smtp.wait_for("kari@example.no", 2):
        assert "se eller meld deg av" in text_of(mail)
        assert "endre" not in text_of(mail)
        html = mail.get_body(("html",)).get_content()
        assert "se påmeldingen eller meld deg av" in html
        assert "endre" not in html
