"""Personal data is kept only as long as the consent text says.

Unconfirmed sign-ups go when their link expires. The attendee list is kept for contact
tracing `retention_days` after the meeting ends; then names, addresses, phone numbers,
organisations and free text are erased from every registration, and the emails that
carried them are deleted. Rows stay, so counts per state and group remain.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..clock import now
from ..extensions import db
from ..models import Event, OutboxMessage, Registration, State

log = logging.getLogger(__name__)

ERASED = {
    Registration.name: "",
    Registration.email: "",
    Registration.email_normalised: None,
    Registration.organisation: "",
    Registration.phone: "",
    Registration.dietary: "",
    Registration.pending_details: None,
    Registration.pending_email: None,
}


def kept_until(event: Event) -> datetime:
    """When the attendee list of `event` is erased, and every link to it stops working."""
    return event.ends_at + timedelta(days=event.retention_days)


def is_erased(registration: Registration) -> bool:
    """Whether the registration's personal data is erased, or due to be (the sweep may lag)."""
    return registration.erased_at is not None or now() >= kept_until(registration.event)


def purge_unconfirmed() -> int:
    """Erase sign-ups whose confirmation link expired, and the emails sent to them."""
    ids = db.session.scalars(
        select(Registration.id).where(
            Registration.state == State.UNCONFIRMED, Registration.confirm_expires_at <= now()
        )
    ).all()
    if ids:
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(ids)))
        db.session.execute(delete(Registration).where(Registration.id.in_(ids)))
        log.info("erased %d unconfirmed sign-ups whose link expired", len(ids))
    db.session.commit()
    return len(ids)


def erase_event(event: Event) -> int:
    """Erase the personal data of one event's registrations; returns how many."""
    erased = db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id, Registration.erased_at.is_(None))
        .values({**ERASED, Registration.erased_at: now()})
    ).rowcount
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.event_id == event.id))
    event.erased_at = now()
    db.session.commit()
    log.info("erased personal data of %d registrations of event %s", erased, event.id)
    return erased


def erase_expired_events() -> int:
    """The sweep: erase every event whose retention period has ended."""
    erased = 0
    for event in db.session.scalars(
        select(Event).where(Event.erased_at.is_(None), Event.ends_at <= now())
    ).all():
        if kept_until(event) <= now():
            erased += erase_event(event)
    db.session.commit()
    return erased
