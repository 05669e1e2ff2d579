"""Signed links: tampered, truncated, expired and wrong-purpose links change nothing."""

from datetime import timedelta

import pytest

from conftest import count_rows, csrf_from, fresh, link_path, press, submit_signup
from signup import tokens
from signup.core import admission, signups
from signup.models import OutboxMessage, State

#: First pass only: signing and refusing links does not depend on the database.
pytestmark = pytest.mark.once


def tampered(token: str) -> str:
    """The token with one character in the middle of its signature changed."""
    body, signature = token.rsplit(".", 1)
    middle = len(signature) // 2
    changed = "A" if signature[middle] != "A" else "B"
    return f"{body}.{signature[:middle]}{changed}{signature[middle + 1 :]}"


@pytest.fixture
def pending(client, make_event, smtp):
    """An unconfirmed sign-up and the confirm link path from its email."""
    event = make_event(capacity=1)
    submit_signup(client, event, "kari@example.no")
    [mail] = smtp.wait_for("kari@example.no")
    return signups.find(event, "kari@example.no"), link_path(mail, "c")


@pytest.mark.parametrize(
    "spoil, status, words",
    [
        (tampered, 400, "Lenken virker ikke"),
        (lambda token: token[:-6], 400, "Lenken virker ikke"),
        (lambda token: token.split(".")[0], 400, "Lenken virker ikke"),
        (lambda token: "", 404, "Fant ikke siden"),
        (lambda token: "ikke-en-lenke", 400, "Lenken virker ikke"),
    ],
    ids=["tampered", "truncated", "signature-cut-off", "empty", "garbage"],
)
def test_spoiled_confirm_link_changes_nothing(client, pending, spoil, status, words):
    registration, path = pending
    rows = count_rows(OutboxMessage)
    token = path.removeprefix("/c/")
    form = {"csrf_token": csrf_from(client.get(path).get_data(as_text=True))}

    for response in (
        client.get(f"/c/{spoil(token)}"),
        client.post(f"/c/{spoil(token)}", data=form),
    ):
        assert response.status_code == status
        assert words in response.get_data(as_text=True)
    assert fresh(registration).state == State.UNCONFIRMED
    assert count_rows(OutboxMessage) == rows


def test_expired_confirm_link_gets_a_clear_page_and_a_way_forward(client, pending, frozen_clock):
    registration, path = pending
    rows = count_rows(OutboxMessage)
    page = client.get(path).get_data(as_text=True)
    frozen_clock.advance(timedelta(hours=48, seconds=1))

    for response in (client.get(path), press(client, page, "Bekreft påmeldingen")):
        assert response.status_code == 410
        text = response.get_data(as_text=True)
        assert "Lenken er utløpt" in text
        assert "Ingenting er endret" in text
        assert 'href="/new-link"' in text
    assert fresh(registration).state == State.UNCONFIRMED
    assert count_rows(OutboxMessage) == rows


def test_confirm_link_just_inside_48_hours_still_works(client, pending, frozen_clock):
    registration, path = pending
    frozen_clock.advance(timedelta(hours=47, minutes=59))
    page = client.get(path)
    assert page.status_code == 200
    assert press(client, page.get_data(as_text=True), "Bekreft påmeldingen").status_code == 200
    assert fresh(registration).state == State.ADMITTED


@pytest.fixture
def offered(make_event, confirmed):
    """Someone holding an open offer, and someone admitted."""
    event = make_event(capacity=1)
    seated = confirmed(event, "plass@example.no")
    waiting = confirmed(event, "vent@example.no")
    admission.cancel(seated)
    return fresh(waiting)


@pytest.mark.parametrize(
    "purpose, method, url",
    [
        (tokens.MANAGE, "get", "/c/{}"),
        (tokens.OFFER, "get", "/c/{}"),
        (tokens.MANAGE, "post", "/c/{}"),
        (tokens.OFFER, "post", "/c/{}"),
        (tokens.CONFIRM, "get", "/o/{}"),
        (tokens.MANAGE, "get", "/o/{}"),
        (tokens.CONFIRM, "get", "/m/{}"),
        (tokens.OFFER, "get", "/m/{}"),
        (tokens.CONFIRM, "post", "/o/{}/accept"),
        (tokens.MANAGE, "post", "/o/{}/accept"),
        (tokens.MANAGE, "post", "/o/{}/decline"),
        (tokens.OFFER, "post", "/m/{}/cancel"),
        (tokens.CONFIRM, "post", "/m/{}/cancel"),
    ],
)
def test_token_of_another_purpose_is_refused(client, offered, purpose, method, url):
    token = tokens.sign(purpose, offered.public_id, offered.offer_number)
    rows = count_rows(OutboxMessage)
    data = {}
    if method == "post":
        page = client.get(f"/events/{offered.event.slug}/").get_data(as_text=True)
        data = {"csrf_token": csrf_from(page), "confirm": "yes"}

    response = getattr(client, method)(url.format(token), data=data)

    assert response.status_code == 400
    assert "Lenken virker ikke" in response.get_data(as_text=True)
    assert fresh(offered).state == State.OFFERED
    assert count_rows(OutboxMessage) == rows


def test_link_signed_with_another_key_is_refused(client, app, offered):
    real_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-completely-different-key-of-enough-length-42"
    forged = tokens.sign(tokens.OFFER, offered.public_id, offered.offer_number)
    app.config["SECRET_KEY"] = real_key
    page = client.get(f"/o/{forged}")
    assert page.status_code == 400
    assert "Lenken virker ikke" in page.get_data(as_text=True)
    assert fresh(offered).state == State.OFFERED


def test_earlier_offer_link_does_not_accept_a_later_offer(client, offered):
    earlier = tokens.sign(tokens.OFFER, offered.public_id, offered.offer_number - 1)
    page = client.get(f"/events/{offered.event.slug}/").get_data(as_text=True)

    response = client.post(f"/o/{earlier}/accept", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 409
    assert "Dette tilbudet gjelder ikke lenger" in response.get_data(as_text=True)
    assert fresh(offered).state == State.OFFERED
