"""Personal data is kept only as long as the consent text says.

Unconfirmed sign-ups go when their link expires. The attendee list is kept for contact
tracing `retention_days` after the meeting ends; then names, addresses, phone numbers,
organisations, free text and arrival times are erased from every registration (walk-ins
too, and the colleagues named in handovers of a seat), the organisers' messages lose their
subject and text, and the emails that carried them are deleted. Rows stay, so counts per
state and group remain; the audit log says when, with how many people and arrivals.

A person may ask for their own data to be erased (the manage page): `erase_registrations`
is the one meaning of "erase", for the sweep and for that request alike. While the
attendee list must be kept (`kept_for_tracing`), the request waits for the sweep.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from ..clock import now
from ..extensions import db
from ..models import (
    Announcement,
    AnnouncementState,
    Event,
    EventStatus,
    Handover,
    OutboxMessage,
    Registration,
    State,
)
from . import audit

log = logging.getLogger(__name__)

ERASED = {
    Registration.name: "",
    Registration.email: "",
    Registration.email_normalised: None,
    Registration.organisation: "",
    Registration.phone: "",
    Registration.dietary: "",
    Registration.pending_details: None,
    # When each person arrived is attendance data too: only the counts below outlive it.
    Registration.checked_in_at: None,
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


def kept_for_tracing(registration: Registration) -> bool:
    """Whether the registration is on an attendee list that must be kept until `kept_until`.

    From the meeting's start, everyone who has a seat or was checked in at the door is on
    the list kept for contact tracing; nobody is, for a cancelled meeting.
    """
    event = registration.event
    if event.status == EventStatus.CANCELLED or now() < event.starts_at:
        return False
    return registration.state == State.ADMITTED or registration.checked_in_at is not None


def erase_registrations(*conditions) -> int:
    """Erase the personal data of the registrations matching `conditions`, and their emails.

    Adds to the caller's transaction; returns how many registrations were erased.
    """
    chosen = select(Registration.id).where(Registration.erased_at.is_(None), *conditions)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(chosen)))
    # A colleague a seat was handed to (or offered) is named only in the handover.
    db.session.execute(
        update(Handover)
        .where(Handover.giver_id.in_(chosen) | Handover.taker_id.in_(chosen))
        .values(colleague_name="", colleague_email=""),
        execution_options={"synchronize_session": False},
    )
    return db.session.execute(
        update(Registration)
        .where(Registration.erased_at.is_(None), *conditions)
        .values({**ERASED, Registration.erased_at: now()}),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount


def erase_event(event: Event) -> int:
    """Erase the personal data of one event's registrations, walk-ins and arrivals included,
    with an audit entry that keeps the anonymous counts; returns how many.
    """
    arrived = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.erased_at.is_(None),
            Registration.checked_in_at.is_not(None),
        )
    )
    erased = erase_registrations(Registration.event_id == event.id)
    # Emails about the event to addresses with no registration go too.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.event_id == event.id))
    _erase_announcements(event)
    event.erased_at = now()
    detail = f"{erased} påmeldinger, {arrived} ankomster"
    audit.add("erase", event, detail=detail, by=None)
    db.session.commit()
    log.info("erased personal data of %d registrations of event %s", erased, event.id)
    return erased


def _erase_announcements(event: Event) -> None:
    """The organisers' messages may name people: their text goes, their counts stay.

    One still scheduled is withdrawn: there is nobody left to send it to.
    """
    db.session.execute(
        update(Announcement)
        .where(Announcement.event_id == event.id, Announcement.state == AnnouncementState.SCHEDULED)
        .values(state=AnnouncementState.WITHDRAWN, withdrawn_at=now())
    )
    db.session.execute(
        update(Announcement)
        .where(Announcement.event_id == event.id, Announcement.erased_at.is_(None))
        .values(subject="", body="", erased_at=now())
    )


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
