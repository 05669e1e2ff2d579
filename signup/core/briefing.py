"""The day-before infection-control briefing, and the reminder to those still waiting.

Sending is marked in the registration row (`briefed_at`, `reminded_at`) in the same
transaction that writes the outbox rows, under the event's seat lock: a restart, a
late scheduler or two schedulers at once send nobody anything twice.
"""

from __future__ import annotations

from sqlalchemy import select

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import Event, Registration, State
from . import audit, waitlist
from .audit import Actor
from .lock import seat_lock


def due_events() -> list[int]:
    """Events whose briefing time has come and whose meeting has not started."""
    moment = now()
    return list(
        db.session.scalars(
            select(Event.id).where(Event.briefing_at <= moment, Event.starts_at > moment)
        )
    )


def send_briefing(event_id: int, early: bool = False, *, by: Actor = None) -> int:
    """Brief every admitted person not yet briefed; remind those waiting. Returns briefed.

    `early` sends before `briefing_at` (the operator's `flask briefing send`, audited as
    `by` in the same transaction); nobody is briefed once the meeting has started.
    """
    with seat_lock(event_id) as event:
        if now() >= event.starts_at or not (early or event.briefing_at <= now()):
            return 0
        briefed = 0
        for registration in db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == State.ADMITTED,
                Registration.briefed_at.is_(None),
            )
            .order_by(Registration.id)
        ):
            registration.briefed_at = now()
            outbox.enqueue("briefing", registration)
            briefed += 1
        for position, registration in enumerate(waitlist.waiting(event), start=1):
            if registration.reminded_at is None:
                registration.reminded_at = now()
                outbox.enqueue("waitlist_reminder", registration, position=position)
        if briefed and by is not None:
            audit.add("briefing_send", event, detail=f"{briefed} i kø", by=by)
        return briefed


def send_due_briefings() -> int:
    """The scheduler's sweep: catch up on every briefing that is due."""
    return sum(send_briefing(event_id) for event_id in due_events())
