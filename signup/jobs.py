"""The scheduler's sweeps: short, idempotent, driven by what the database says is due.

Each sweep marks what it did in the rows it touched, so a run missed while the process
was down is caught up by the next one, and two schedulers at once do nothing twice.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import delete, select

from . import admission
from .clock import now
from .database import begin_write
from .extensions import db
from .models import Event, OutboxMessage, Registration, State
from .outbox import deliver_due

log = logging.getLogger(__name__)


def expire_offers() -> int:
    """Lapse offers whose time is up; each lapse offers the seat onwards at once."""
    return sum(admission.expire_offers(event_id) for event_id in admission.due_offer_events(now()))


def release_reserves() -> int:
    event_ids = db.session.scalars(
        select(Event.id).where(
            Event.priority_until.is_not(None),
            Event.priority_until <= now(),
            Event.reserve_released_at.is_(None),
        )
    ).all()
    return sum(admission.release_reserve(event_id) for event_id in event_ids)


def close_registrations() -> int:
    event_ids = db.session.scalars(
        select(Event.id).where(Event.registration_closes_at <= now(), Event.closed_at.is_(None))
    ).all()
    return sum(admission.close_waitlist(event_id) for event_id in event_ids)


def purge_unconfirmed() -> int:
    """Erase sign-ups whose confirmation link expired, and the emails sent to them."""
    begin_write()
    expired = select(Registration.id).where(
        Registration.state == State.UNCONFIRMED, Registration.confirm_expires_at <= now()
    )
    ids = db.session.scalars(expired).all()
    if ids:
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(ids)))
        db.session.execute(delete(Registration).where(Registration.id.in_(ids)))
        log.info("erased %d unconfirmed sign-ups whose link expired", len(ids))
    db.session.commit()
    return len(ids)


def deliver_outbox() -> int:
    total = 0
    while sent := deliver_due():
        total += sent
    return total


#: In order: seat changes first, so the emails they write go out in the same run.
SWEEPS = (expire_offers, release_reserves, close_registrations, purge_unconfirmed, deliver_outbox)


def run_sweeps(app: Flask) -> dict[str, int]:
    """Run every sweep once; one failing sweep does not stop the others."""
    done: dict[str, int] = {}
    with app.app_context():
        for sweep in SWEEPS:
            try:
                done[sweep.__name__] = sweep()
            except Exception:
                db.session.rollback()
                log.exception("sweep %s failed", sweep.__name__)
    return done
