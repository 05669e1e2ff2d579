"""A burst of simultaneous sign-ups for one address sends at most the per-address limit."""

import functools
import threading

import pytest

from conftest import count_rows, csrf_from, in_threads, link_path
from signup.extensions import db
from signup.models import OutboxMessage, Registration

BACKENDS = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
pytestmark = pytest.mark.own_database
BURST = 60
ADDRESS = "ase.odegard@firma.no"


@BACKENDS
def test_sixty_simultaneous_sign_ups_for_one_address_send_at_most_five(app, make_event):
    path = f"/events/{make_event(capacity=10).slug}/"
    db.session.remove()
    ready = threading.Barrier(BURST)
    statuses: list[int] = []

    def person(number: int) -> None:
        client = app.test_client()
        # Each browser loads the form first (its own session and CSRF token); then all
        # submit at once.
        form = {
            "csrf_token": csrf_from(client.get(path).get_data(as_text=True)),
            "name": f"Åse Ødegård {number}",
            "email": ADDRESS,
            "organisation": "Brønnøy Kalk AS",
            "group": "medlem",
            "consent": "y",
        }
        ready.wait(timeout=60)
        statuses.append(client.post(path, data=form).status_code)

    in_threads([functools.partial(person, n) for n in range(BURST)], timeout=120)

    assert len(statuses) == BURST
    assert set(statuses) <= {303, 429}
    sent = count_rows(OutboxMessage, OutboxMessage.recipient == ADDRESS)
    assert 1 <= sent <= 5
    assert statuses.count(303) == sent
    assert count_rows(Registration) == 1


@BACKENDS
def test_later_sign_ups_at_once_each_get_a_link_to_their_own_details(
    app, make_event, sign_up, smtp
):
    event = make_event()
    sign_up(event, ADDRESS, name="Åse Ødegård")
    path = f"/events/{event.slug}/"
    names = ["Åse Ødegård Berg", "Åse Ødegård Strand", "Åse Ødegård Li"]
    db.session.remove()
    ready = threading.Barrier(len(names))

    def person(name: str) -> None:
        client = app.test_client()
        form = {
            "csrf_token": csrf_from(client.get(path).get_data(as_text=True)),
            "name": name,
            "email": ADDRESS,
            "organisation": "Brønnøy Kalk AS",
            "group": "medlem",
            "consent": "y",
        }
        ready.wait(timeout=60)
        assert client.post(path, data=form).status_code == 303

    in_threads([functools.partial(person, name) for name in names])

    told = smtp.wait_for(ADDRESS, 1 + len(names))[1:]
    shown = set()
    for mail in told:
        page = app.test_client().get(link_path(mail, "c")).get_data(as_text=True)
        shown |= {name for name in names if f"<dd>{name}</dd>" in page}
    assert shown == set(names)
