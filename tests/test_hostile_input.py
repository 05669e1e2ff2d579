"""Random, over-long, broken and hostile input: never a 500, never half a registration."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import csrf_from, wait_until
from signup.core import events
from signup.extensions import db
from signup.mail import outbox
from signup.models import MessageState, OutboxMessage, Registration

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=1200),
    st.sampled_from(
        [
            "Kari\r\nBcc: victim@example.org",
            "Ærlig Øystein Åsen",
            "مرحبا بالعالم",  # right-to-left
            "\u202eevil\u202c",
            "👩‍🏭🐟🏭",
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            "a" * 5000,
            "\x00\x01\x7f",
            "",
        ]
    ),
)
RELAXED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts():
    db.session.rollback()
    return (
        db.session.scalar(db.select(db.func.count()).select_from(Registration)),
        db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)),
    )


def _unbuilt() -> int:
    db.session.rollback()
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.message.is_(None), OutboxMessage.state != MessageState.FAILED)
    )


def _assert_stored_rows_are_clean():
    for registration in db.session.scalars(db.select(Registration)):
        for value in (registration.name, registration.organisation, registration.email):
            assert "\r" not in value and "\n" not in value
        assert registration.name and registration.email and registration.organisation
    # The subjects are written when the emails are built, after the commit.
    wait_until(lambda: outbox.build_written() == 0 and _unbuilt() == 0, message="unbuilt")
    for message in db.session.scalars(db.select(OutboxMessage)):
        assert "\r" not in message.subject and "\n" not in message.subject
        assert "\n" not in message.recipient and "," not in message.recipient


@pytest.mark.slow  # many generated forms: about 9 s
@RELAXED
@given(
    name=HOSTILE_TEXT,
    email=st.one_of(HOSTILE_TEXT, st.emails().map(str)),
    organisation=HOSTILE_TEXT,
    group=st.one_of(st.sampled_from(["medlem", "andre"]), HOSTILE_TEXT),
    phone=HOSTILE_TEXT,
    dietary=HOSTILE_TEXT,
    consent=st.sampled_from(["y", "", "on", "ja", "\x00"]),
)
def test_signup_form_never_fails_and_never_stores_half(
    client, make_event, name, email, organisation, group, phone, dietary, consent
):
    events.by_slug("fiendtlig") or make_event(slug="fiendtlig")
    page = client.get("/events/fiendtlig/")
    before = _counts()
    data = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "name": name,
        "email": email,
        "organisation": organisation,
        "group": group,
        "phone": phone,
        "dietary": dietary,
        "consent": consent,
    }
    response = client.post("/events/fiendtlig/", data=data)
    assert response.status_code < 500
    after = _counts()
    if response.status_code != 303:
        assert after == before, "a refused sign-up stored or sent something"
    _assert_stored_rows_are_clean()


@RELAXED
@given(body=st.binary(max_size=2000))
def test_non_utf8_form_bodies_are_refused_cleanly(client, make_event, body):
    events.by_slug("bytes") or make_event(slug="bytes")
    before = _counts()
    response = client.post(
        "/events/bytes/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500
    assert _counts() == before


TOKEN = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200),
    st.from_regex(r"[A-Za-z0-9_\-\.]{10,120}", fullmatch=True),
)


@RELAXED
@given(
    token=TOKEN,
    route=st.sampled_from(["c", "m", "o"]),
    action=st.sampled_from(["", "/cancel", "/rejoin", "/accept", "/decline"]),
)
def test_token_routes_never_fail(client, token, route, action):
    path = f"/{route}/{quote(token, safe='')}{action}"
    before = _counts()
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code < 500
    assert _counts() == before
