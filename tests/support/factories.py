"""Events, sign-ups and bulk rows, made the way the product makes them (or in bulk, for size)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from signup import clock
from signup.core import admission, signups
from signup.core.eventfile import default_briefing_at
from signup.extensions import db
from signup.models import (
    Event,
    GroupCheck,
    MessageState,
    OutboxMessage,
    PriorityGroup,
    Registration,
    State,
)


def create_event(**values) -> Event:
    """An event starting in two weeks (by the app's clock) with two groups, committed."""
    starts = values.pop("starts_at", clock.now() + timedelta(days=14))
    groups = values.pop("groups", [("medlem", "Medlem", 1), ("andre", "Andre", 2)])
    zone = ZoneInfo(values.get("timezone", "Europe/Oslo"))
    event = Event(
        slug=values.pop("slug", f"mote-{len(db.session.scalars(db.select(Event)).all()) + 1}"),
        title=values.pop("title", "Temamøte industri"),
        venue=values.pop("venue", "Store auditorium, Kunnskapsparken Finnsnes"),
        description=values.pop("description", "Et møte om industri."),
        starts_at=starts,
        ends_at=values.pop("ends_at", starts + timedelta(hours=3)),
        registration_closes_at=values.pop("registration_closes_at", starts),
        briefing_at=values.pop("briefing_at", default_briefing_at(starts, zone)),
        capacity=values.pop("capacity", 10),
        **values,
    )
    event.groups = [PriorityGroup(key=k, label=label, rank=rank) for k, label, rank in groups]
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def make_event(app):
    """Factory: an event starting in two weeks with two groups (rank 1 and rank 2)."""
    return create_event


@pytest.fixture
def sign_up(app):
    """Factory: an unconfirmed registration made the way the form makes it."""

    def factory(event: Event, email: str, group: str = "medlem", **details) -> Registration:
        chosen = next(g for g in event.groups if g.key == group)
        fields = {
            "name": details.pop("name", email.split("@")[0].title()),
            "email": email,
            "organisation": details.pop("organisation", "Finnfjord AS"),
            "phone": details.pop("phone", ""),
            "dietary": details.pop("dietary", ""),
        }
        signups.sign_up(event, chosen, fields)
        return signups.find(event, email)

    return factory


@pytest.fixture
def confirmed(sign_up):
    """Factory: a registration confirmed through the admission rules; returns it fresh."""

    def factory(event: Event, email: str, group: str = "medlem", **details) -> Registration:
        registration = sign_up(event, email, group, **details)
        return admission.confirm(registration).registration

    return factory


def count_rows(model, *conditions) -> int:
    """How many rows of `model` (matching `conditions`) the database holds right now."""
    # End the session's transaction: an open SQLite read keeps seeing its old snapshot.
    db.session.rollback()
    query = db.select(db.func.count()).select_from(model)
    if conditions:
        query = query.where(*conditions)
    return db.session.scalar(query)


def fresh(registration: Registration) -> Registration:
    """The registration as the database holds it now (other sessions may have changed it)."""
    db.session.rollback()
    return db.session.get(Registration, registration.id)


#: The states `fill` deals out in turn: registration n gets STATES[n % 5].
STATES = [State.ADMITTED, State.WAITLISTED, State.OFFERED, State.CANCELLED, State.UNCONFIRMED]


def _bulk_row(event: Event, number: int, start) -> dict:
    state = STATES[number % len(STATES)]
    group = event.groups[number % len(event.groups)]
    moment = start + timedelta(minutes=13 * number)
    email = f"d{number}@firma{number % 7}.no"
    return {
        "event_id": event.id,
        "group_id": group.id,
        "state": state,
        "name": f"Deltaker {number:05d}",
        "email": email,
        "email_normalised": email,
        "organisation": f"Firma {number % 7} AS",
        "phone": "+47 900 00 000",
        "dietary": "",
        "language": "nb",
        "created_at": moment,
        "consented_at": moment,
        "confirm_expires_at": moment + timedelta(days=2),
        "confirmed_at": None if state == State.UNCONFIRMED else moment,
        "queued_at": moment,
        "offer_expires_at": clock.now() + timedelta(days=1) if state == State.OFFERED else None,
        "checked_in_at": moment if state == State.ADMITTED and number % 2 else None,
        "group_check": GroupCheck.UNVERIFIED if group.rank == 1 else GroupCheck.NOT_NEEDED,
    }


def fill(event, count: int) -> None:
    """Insert `count` registrations (and an email each) directly, in bulk, for speed."""
    start = clock.now() - timedelta(days=20)
    rows = [_bulk_row(event, number, start) for number in range(count)]
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
                # A small but well-formed message: "send again" really sends it.
                "message": (
                    f"From: pamelding@example.org\r\nTo: {row['email']}\r\n"
                    "Subject: Bekreft\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\nBekreft.\r\n"
                ).encode(),
                "state": MessageState.SENT,
                "created_at": row["created_at"],
                "next_attempt_at": row["created_at"],
            }
            for row in rows
        ],
    )
    db.session.commit()
