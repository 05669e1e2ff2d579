"""The event page, check-in and exports cost the same number of queries for 20 or 2,000."""

import secrets
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import event as sa_event
from sqlalchemy import insert

from signup import clock
from signup.extensions import db
from signup.models import GroupCheck, MessageState, OutboxMessage, Registration, State

STATES = [State.ADMITTED, State.WAITLISTED, State.OFFERED, State.CANCELLED, State.UNCONFIRMED]


def fill(event, count: int) -> None:
    """Insert `count` registrations (and an email each) directly, in bulk, for speed."""
    start = clock.now() - timedelta(days=20)
    rows = []
    for number in range(count):
        state = STATES[number % len(STATES)]
        group = event.groups[number % len(event.groups)]
        moment = start + timedelta(minutes=13 * number)
        rows.append(
            {
                "event_id": event.id,
                "group_id": group.id,
                "state": state,
                "name": f"Deltaker {number:05d}",
                "email": f"d{number}@firma{number % 7}.no",
                "email_normalised": f"d{number}@firma{number % 7}.no",
                "organisation": f"Firma {number % 7} AS",
                "phone": "+47 900 00 000",
                "dietary": "",
                "language": "nb",
                "created_at": moment,
                "consented_at": moment,
                "confirm_expires_at": moment + timedelta(days=2),
                "confirmed_at": None if state == State.UNCONFIRMED else moment,
                "queued_at": moment,
                "offer_expires_at": clock.now() + timedelta(days=1)
                if state == State.OFFERED
                else None,
                "checked_in_at": moment if state == State.ADMITTED and number % 2 else None,
                "group_check": GroupCheck.UNVERIFIED if group.rank == 1 else GroupCheck.NOT_NEEDED,
            }
        )
    db.session.execute(insert(Registration), rows)
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                "event_id": event.id,
                "kind": "confirm",
                "recipient": row["email"],
                "subject": "Bekreft",
                "message_id": f"<{secrets.token_hex(8)}@test>",
                "message": b"x",
                "state": MessageState.SENT,
                "created_at": row["created_at"],
                "next_attempt_at": row["created_at"],
            }
            for row in rows
        ],
    )
    db.session.commit()


@contextmanager
def counting():
    """Count the SQL statements this thread sends while the block runs."""
    statements: list[str] = []
    # The delivery worker's 5 s poll for due mail runs on the same engine in its own thread.
    me = threading.get_ident()

    def count(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, path: str, **query) -> int:
    # The test's app context is shared with requests: start from an empty identity map,
    # as a real request does, so nothing cached hides a query.
    db.session.remove()
    g.pop("_login_user", None)
    with counting() as statements:
        response = client.get(path, query_string=query)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture
def small_and_large(make_event):
    small, large = make_event(capacity=10), make_event(capacity=1000)
    fill(small, 20)
    fill(large, 2000)
    return small.slug, large.slug


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("", {}),
        ("", {"q": "firma 3", "state": "admitted"}),
        ("", {"group": "andre"}),
        ("checkin", {}),
        ("checkin", {"q": "deltaker 0001"}),
        ("outbox", {}),
        ("settings", {}),
        ("export.csv", {}),
        ("export.xlsx", {}),
    ],
)
def test_query_count_does_not_grow_with_registrations(
    organiser_client, small_and_large, page, query
):
    small, large = small_and_large
    counts = [
        queries_for(organiser_client, f"/organiser/events/{slug}/{page}", **query)
        for slug in (small, large)
    ]
    assert counts[0] == counts[1], counts
    assert counts[0] < 20


def test_events_list_query_count_is_fixed(organiser_client, small_and_large, make_event):
    before = queries_for(organiser_client, "/organiser/")
    fill(make_event(), 50)
    assert queries_for(organiser_client, "/organiser/") == before
