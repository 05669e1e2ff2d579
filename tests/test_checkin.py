"""Check-in at the door: names stay out of the session cookie; the search clears."""

from __future__ import annotations

import json

import pytest

from conftest import csrf_from
from signup.extensions import db
from signup.models import Registration


@pytest.fixture
def door(make_event, confirmed):
    event = make_event(capacity=1)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård", organisation="Fjordbruk AS")
    confirmed(event, "ase@fjordbruk.no", name="Åse Brøndbo", organisation="Fjordbruk AS")
    return event


def _person(name: str) -> Registration:
    return db.session.scalar(db.select(Registration).where(Registration.name == name))


def _session_text(app, client) -> str:
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return json.dumps(data, ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "who, undo, words",
    [
        ("Kåre Ødegård", False, "Kåre Ødegård er registrert som ankommet."),
        ("Kåre Ødegård", True, "Ankomsten til Kåre Ødegård er angret."),
        ("Åse Brøndbo", False, "Åse Brøndbo har ikke plass og kan ikke sjekkes inn."),
    ],
)
def test_a_check_in_keeps_the_name_out_of_the_session_cookie(
    app, organiser_client, door, who, undo, words
):
    path = f"/organiser/events/{door.slug}/checkin"
    person = _person(who)
    token = csrf_from(organiser_client.get(path).get_data(as_text=True))
    response = organiser_client.post(f"{path}/{person.id}", data={"csrf_token": token})
    if undo:
        response = organiser_client.post(f"{path}/{person.id}/undo", data={"csrf_token": token})
    stored = _session_text(app, organiser_client)
    for part in who.split():
        assert part not in stored
    assert words not in response.headers["Location"]
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert words in page


def test_the_search_clears_after_a_check_in(organiser_client, door):
    path = f"/organiser/events/{door.slug}/checkin"
    kare = _person("Kåre Ødegård")
    searched = organiser_client.get(path, query_string={"q": "ødegård"}).get_data(as_text=True)
    assert "Åse Brøndbo" not in searched
    assert 'type="hidden" name="q"' not in searched
    token = csrf_from(searched)
    response = organiser_client.post(
        f"{path}/{kare.id}", data={"csrf_token": token, "q": "ødegård"}
    )
    assert "q=" not in response.headers["Location"]
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Åse Brøndbo" in page
    assert 'value="ødegård"' not in page
