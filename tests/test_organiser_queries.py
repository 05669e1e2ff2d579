"""The dashboard's pages cost the same number of queries for 20 registrations or 500."""

import threading
from contextlib import contextmanager

import pytest
from flask import g
from sqlalchemy import event as sa_event

from conftest import fill
from signup import clock
from signup.extensions import db
from signup.models import AuditEntry


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
    fill(large, 500)
    return small.slug, large.slug


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("", {}),
        ("", {"q": "firma 3", "state": "admitted"}),
        ("", {"group": "andre"}),
        ("", {"page": "3"}),
        ("", {"q": "firma3", "page": "2"}),
        ("", {"state": "waitlisted", "page": "999"}),
        ("waitlist", {}),
        ("waitlist", {"page": "2"}),
        ("checkin", {}),
        ("checkin", {"q": "deltaker 0001"}),
        ("outbox", {}),
        ("outbox", {"page": "2"}),
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


def test_audit_log_query_count_is_fixed(organiser_client, make_event, organiser):
    entry = {"organiser_id": organiser.id, "event_id": make_event().id, "action": "export"}

    def add(count: int) -> None:
        db.session.execute(db.insert(AuditEntry), [{**entry, "created_at": clock.now()}] * count)
        db.session.commit()

    add(1)  # an entry with an event, so that the page loads events from the start
    before = queries_for(organiser_client, "/organiser/audit")
    add(300)
    assert queries_for(organiser_client, "/organiser/audit") == before
    assert queries_for(organiser_client, "/organiser/audit", page="4") == before
