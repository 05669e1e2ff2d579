"""Links replayed, used for another registration, and signed with a rotated-out key."""

from __future__ import annotations

import pytest

from conftest import count_rows, csrf_from, fresh
from signup import tokens
from signup.core import admission
from signup.models import OutboxMessage, State

OLD_KEY = "the-old-secret-key-being-rotated-out-0123456789"
NEW_KEY = "the-new-secret-key-now-signing-links-0123456789"


def post(client, event, url: str, **fields):
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(page), **fields})


@pytest.fixture
def seated_and_offered(make_event, confirmed):
    """One admitted person and one holding an offer for the seat freed before them."""
    event = make_event(capacity=2)
    gone = confirmed(event, "borte@example.no")
    seated = confirmed(event, "plass@example.no")
    waiting = confirmed(event, "vent@example.no")
    admission.cancel(gone)
    return fresh(seated), fresh(waiting)


def test_replayed_cancel_and_accept_change_nothing_the_second_time(client, seated_and_offered):
    seated, offered = seated_and_offered
    cancel = f"/m/{tokens.sign(tokens.MANAGE, seated.public_id)}/cancel"
    accept = f"/o/{tokens.sign(tokens.OFFER, offered.public_id, offered.offer_number)}/accept"
    assert post(client, seated.event, cancel, confirm="yes").status_code == 200
    assert post(client, offered.event, accept).status_code == 200
    assert fresh(seated).state == State.CANCELLED
    assert fresh(offered).state == State.ADMITTED
    rows = count_rows(OutboxMessage)

    again_cancel = post(client, seated.event, cancel, confirm="yes")
    again_accept = post(client, offered.event, accept)

    assert again_cancel.status_code in (200, 409)
    assert again_accept.status_code in (200, 409)
    assert fresh(seated).state == State.CANCELLED
    assert fresh(offered).state == State.ADMITTED
    assert count_rows(OutboxMessage) == rows


def test_a_link_cannot_be_moved_to_another_registration(client, seated_and_offered):
    seated, offered = seated_and_offered
    mine = tokens.sign(tokens.MANAGE, seated.public_id)
    theirs = tokens.sign(tokens.MANAGE, offered.public_id)
    # My signature on their payload: the signature covers the payload, so it fails.
    spliced = theirs.rsplit(".", 2)[0] + "." + ".".join(mine.rsplit(".", 2)[1:])
    rows = count_rows(OutboxMessage)

    response = post(client, seated.event, f"/m/{spliced}/cancel", confirm="yes")

    assert response.status_code == 400
    assert fresh(seated).state == State.ADMITTED
    assert fresh(offered).state == State.OFFERED
    assert count_rows(OutboxMessage) == rows


def test_a_signed_link_to_a_registration_that_is_gone_is_refused(client, make_event):
    make_event()
    response = client.get(f"/m/{tokens.sign(tokens.MANAGE, 'no-such-registration')}")
    assert response.status_code == 410


def test_rotated_key_works_while_listed_in_fallbacks_and_not_after(
    app, client, confirmed, make_event
):
    event = make_event()
    person = confirmed(event, "kari@example.no")
    app.config.update(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
    old_link = f"/m/{tokens.sign(tokens.MANAGE, person.public_id)}"

    app.config.update(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY])
    assert client.get(old_link).status_code == 200
    new_link = f"/m/{tokens.sign(tokens.MANAGE, person.public_id)}"
    assert new_link != old_link
    assert client.get(new_link).status_code == 200

    app.config.update(SECRET_KEY_FALLBACKS=[])
    refused = client.get(old_link)
    assert refused.status_code == 400
    assert "Lenken virker ikke" in refused.get_data(as_text=True)
    assert client.get(new_link).status_code == 200
