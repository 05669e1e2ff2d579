"""A person who turns up at the door without a registration: the row made for them.

The seat decision is admission.admit_walk_in's; this only shapes the row. A walk-in's
details are for the attendance list (contact tracing) only: the address, when given, is
kept as a contact detail but is no sign-up's key (`email_normalised` stays NULL, so it
never collides with one), and no email is ever written to them (mail/outbox.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..clock import now
from ..extensions import db
from ..models import Event, GroupCheck, Registration, State
from . import signups
from .errors import Refusal, Refused


@dataclass(frozen=True)
class WalkIn:
    """What the door asks of a walk-in (already checked by the form)."""

    name: str
    organisation: str
    phone: str
    group_key: str
    email: str = ""


def row_for(event: Event, person: WalkIn) -> Registration:
    """The (not yet added) registration of a walk-in of `event`, in the group they belong to."""
    group = next((group for group in event.groups if group.key == person.group_key), None)
    if group is None:
        raise Refused(Refusal.UNKNOWN_GROUP)
    moment = now()
    return Registration(
        event=event,
        group=group,
        name=person.name,
        organisation=person.organisation,
        phone=person.phone,
        email=person.email.strip(),
        email_normalised=None,
        walk_in=True,
        group_check=GroupCheck.NOT_NEEDED,
        language="nb",
        created_at=moment,
        consented_at=moment,
        confirm_expires_at=moment,
        confirmed_at=moment,
        queued_at=moment,
    )


def added_before(event: Event, person: WalkIn) -> Registration | None:
    """The walk-in already added with this name and phone (a form sent twice), if any."""
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.walk_in.is_(True),
            Registration.name == person.name,
            Registration.phone == person.phone,
        )
        .limit(1)
    )


def refuse_if_seated(event: Event, person: WalkIn) -> None:
    """Someone signed up with a seat under the address given is checked in, not added again."""
    if not person.email.strip():
        return
    registration = signups.find(event, person.email)
    if registration is not None and registration.state == State.ADMITTED:
        raise Refused(Refusal.HAS_SEAT)
