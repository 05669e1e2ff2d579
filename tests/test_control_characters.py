"""NUL and other control characters: a clear message or a 4xx, never a 500, on both databases.

PostgreSQL refuses NUL in text, so a NUL that reaches a query fails the request; these tests
run on both databases.
"""

from __future__ import annotations

import logging

import pytest

from conftest import (
    app_log_text,
    count_rows,
    csrf_from,
    log_in,
    submit_signup,
)
from signup.extensions import db
from signup.models import Event, Registration

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
DIETARY = "nøtteallergi og laktose"


@BOTH
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("dietary", "nøtt\x00allergi", "kontrolltegn"),
        ("dietary", "nøtt\x1ballergi", "kontrolltegn"),
        ("name", "Åse\x00Ødegård", "kontrolltegn"),
        ("organisation", "Brødrene Ås\x00 AS", "kontrolltegn"),
        ("email", "a\x00@example.org", "Skriv inn én gyldig e-postadresse"),
    ],
)
def test_control_characters_in_the_sign_up_form_get_a_message(
    client, make_event, caplog, field, value, message
):
    caplog.set_level(logging.INFO)
    event = make_event()
    fields = {"email": "kari@example.no", field: value}
    response = submit_signup(client, event, fields.pop("email"), **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_rows(Registration) == 0
    assert "nøtt" not in app_log_text(caplog)


@BOTH
def test_dietary_needs_keep_their_lines_and_tabs(client, make_event):
    event = make_event()
    response = submit_signup(client, event, "kari@example.no", dietary="nøtter\r\n\tlaktose")
    assert response.status_code == 303
    assert count_rows(Registration) == 1


@BOTH
@pytest.mark.parametrize(
    "path, status",
    [
        ("/events/%00/", 404),
        ("/events/m%C3%B8te%1f/check-email", 404),
        ("/c/%00", 404),
        ("/m/abc%00def", 404),
        ("/new-link?event=%00", 400),
        ("/events/mote-1/?q=%00", 400),
    ],
)
def test_control_characters_in_paths_and_queries_are_refused(client, make_event, path, status):
    make_event()
    response = client.get(path)
    assert response.status_code == status
    assert "<title>" in response.get_data(as_text=True)


@BOTH
def test_control_characters_in_an_organiser_login_get_a_message(client, organiser):
    response = log_in(client, email="a\x00@example.org")
    assert response.status_code == 422
    assert "kontrolltegn" in response.get_data(as_text=True)


@BOTH
@pytest.mark.parametrize("query", ["group=%00", "state=x%00", "q=%C3%B8%00"])
def test_control_characters_in_the_organiser_filters_are_refused(
    organiser_client, make_event, query
):
    event = make_event()
    response = organiser_client.get(f"/organiser/events/{event.slug}/?{query}")
    assert response.status_code == 400


@BOTH
def test_control_characters_in_the_briefing_are_refused_and_nothing_changes(
    organiser_client, make_event
):
    event = make_event(briefing="Hold deg hjemme hvis du er syk.")
    path = f"/organiser/events/{event.slug}/settings"
    token = csrf_from(organiser_client.get(path).get_data(as_text=True))
    response = organiser_client.post(
        f"/organiser/events/{event.slug}/texts",
        data={"csrf_token": token, "briefing": "Håndvask\x00", "offer_hours": "24"},
        follow_redirects=True,
    )
    assert response.status_code == 422
    assert "kontrolltegn" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).briefing == "Hold deg hjemme hvis du er syk."


@BOTH
def test_a_database_error_logs_no_bound_values(app, make_event, sign_up, caplog):
    """The engine hides bound parameters, so an error message never carries a person's data."""
    event = make_event()
    kari = sign_up(event, "kari@example.no", name="Kåre Ødegård", dietary=DIETARY)
    copy = Registration(
        **{
            column.key: getattr(kari, column.key)
            for column in Registration.__table__.columns
            if column.key not in {"id", "public_id"}
        }
    )
    db.session.add(copy)
    with pytest.raises(Exception) as raised:  # noqa: B017 (either driver's IntegrityError)
        db.session.commit()
    db.session.rollback()
    text = f"{raised.value}\n{raised.value.__cause__}"
    assert "Kåre Ødegård" not in text and DIETARY not in text
    # PostgreSQL's DETAIL line ("Key (...)=(1, kari@example.no)") is dropped too.
    assert "kari@example.no" not in text
    assert "unique" in text.lower()


@BOTH
def test_control_characters_in_a_member_list_are_refused(organiser_client, make_event):
    event = make_event()
    path = f"/organiser/events/{event.slug}/settings"
    token = csrf_from(organiser_client.get(path).get_data(as_text=True))
    response = organiser_client.post(
        f"/organiser/events/{event.slug}/groups/medlem/domains",
        data={"csrf_token": token, "medlem-domains": "fjordbruk.no\nbrød\x00.no"},
        follow_redirects=True,
    )
    assert response.status_code == 422
    assert "kontrolltegn" in response.get_data(as_text=True)
    assert "fjordbruk.no" not in organiser_client.get(path).get_data(as_text=True)
