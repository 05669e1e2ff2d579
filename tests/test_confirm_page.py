"""The confirm link opens a page with one button; only its POST confirms (issue 12.2)."""

from conftest import (
    confirm_by_link,
    count_rows,
    fresh,
    link_path,
    press,
    submit_signup,
)
from signup.core import signups
from signup.models import OutboxMessage, State


def test_confirm_link_opened_by_get_or_head_confirms_nothing(client, make_event, smtp):
    event = make_event(capacity=5)
    submit_signup(client, event, "kari@example.no", name="Kari Åsheim")
    [mail] = smtp.wait_for("kari@example.no")
    path = link_path(mail, "c")
    rows = count_rows(OutboxMessage)

    # A mail scanner, a link prefetcher and a person who only looks.
    head = client.head(path)
    page = client.get(path)
    client.get(path)

    assert head.status_code == page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("Bekreft påmeldingen</button>") == 1
    assert "Kari Åsheim" in text
    registration = fresh(signups.find(event, "kari@example.no"))
    assert registration.state == State.UNCONFIRMED
    assert registration.confirmed_at is None
    assert count_rows(OutboxMessage) == rows


def test_confirm_button_works_from_a_fresh_mail_client_browser(client, make_event, sign_up, smtp):
    event = make_event()
    sign_up(event, "per@example.no", name="Per Ødegård")
    [mail] = smtp.wait_for("per@example.no")
    assert not client.get_cookie("session")  # the GET gives the session the button needs

    response = confirm_by_link(client, mail)

    assert response.status_code == 200
    assert "Du har plass på møtet" in response.get_data(as_text=True)
    assert fresh(signups.find(event, "per@example.no")).state == State.ADMITTED


def test_confirm_post_without_csrf_token_changes_nothing(client, make_event, smtp):
    event = make_event()
    submit_signup(client, event, "kari@example.no")
    path = link_path(smtp.wait_for("kari@example.no")[0], "c")
    rows = count_rows(OutboxMessage)

    response = client.post(path)

    assert response.status_code == 400
    assert fresh(signups.find(event, "kari@example.no")).state == State.UNCONFIRMED
    assert count_rows(OutboxMessage) == rows


def test_waitlisted_person_confirming_again_keeps_the_place_and_gets_no_email(
    client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    confirmed(event, "forst@example.no")
    submit_signup(client, event, "bjorn@example.no", name="Bjørn Åberg")
    [mail] = smtp.wait_for("bjorn@example.no")
    page = client.get(link_path(mail, "c")).get_data(as_text=True)
    assert "som nummer 1 av 1" in press(client, page, "Bekreft påmeldingen").get_data(as_text=True)
    confirmed(event, "senere@example.no")
    registration = fresh(signups.find(event, "bjorn@example.no"))
    before = (registration.state, registration.queued_at, registration.confirmed_at)
    smtp.wait_for("bjorn@example.no", 2)
    rows = count_rows(OutboxMessage)

    again = press(client, page, "Bekreft påmeldingen")

    assert again.status_code == 200
    assert "som nummer 1 av 2" in again.get_data(as_text=True)
    registration = fresh(registration)
    assert (registration.state, registration.queued_at, registration.confirmed_at) == before
    assert count_rows(OutboxMessage) == rows
    # The link opened after confirming shows the status, with no button to confirm.
    assert "Bekreft påmeldingen</button>" not in client.get(link_path(mail, "c")).get_data(
        as_text=True
    )
