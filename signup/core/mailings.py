"""The organiser's and operator's "send again": each one transaction with its audit entry."""

from __future__ import annotations

from ..extensions import db
from ..mail import outbox
from ..models import Event, MessageState, OutboxMessage, Registration, State
from . import audit, waitlist
from .audit import Actor
from .lock import write_transaction


def last_kind(registration: Registration) -> str | None:
    """The kind of the last email to the person, or None (none, or their data is erased)."""
    if registration.email_normalised is None:
        return None
    return db.session.scalar(
        db.select(OutboxMessage.kind)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def resend_last(registration: Registration, *, by: Actor) -> str | None:
    """Send the person's last email again with fresh links; returns its kind, or None.

    Whatever went last, an open offer is what the person needs in hand.
    """
    with write_transaction():
        last = last_kind(registration)
        if last is None:
            return None
        if registration.state == State.OFFERED:
            last = "offer"
        context = {}
        if registration.state == State.WAITLISTED:
            context["position"] = waitlist.position(registration)
        outbox.enqueue(last, registration, **context)
        audit.add("resend", registration.event, registration, detail=last, by=by)
    return last


def requeue(event: Event, message_id: int, *, by: Actor) -> str:
    """Send one failed email of the event again: "queued", "not_failed" or "unknown"."""
    with write_transaction():
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.event_id != event.id:
            return "unknown"
        if message.state != MessageState.FAILED:
            return "not_failed"
        outbox.requeue(message.id)
        audit.add("requeue", event, detail=f"e-post #{message.id} ({message.kind})", by=by)
    return "queued"


def requeue_failed(event: Event | None, *, by: Actor) -> int:
    """Send every failed email (of `event`, or of all events) again; returns how many."""
    conditions = [OutboxMessage.event_id == event.id] if event is not None else []
    with write_transaction():
        count = outbox.requeue_failed(*conditions)
        if count:
            audit.add("requeue_failed", event, detail=f"{count} e-poster", by=by)
    return count
