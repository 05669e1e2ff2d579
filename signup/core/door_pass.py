"""Whose pass is shown at the door: the QR code's signed token or the typed short code.

Finding the person only reads; the check-in itself stays `checkin.check_in`, one
transaction with its audit entry, whichever way the person was found.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import checkin_pass, tokens
from ..extensions import db
from ..models import Event, Registration
from .errors import Refusal, Refused


def by_token(event: Event, token: str) -> Registration:
    """The registration whose check-in token this is; Refused if it is not one for `event`."""
    try:
        payload = tokens.read(tokens.CHECKIN, token)
    except tokens.LinkError as error:
        raise Refused(Refusal.BAD_PASS) from error
    if payload.number != event.id:
        raise Refused(Refusal.OTHER_EVENT)
    person = db.session.scalar(
        select(Registration).where(Registration.public_id == payload.registration)
    )
    if person is None or person.erased_at is not None:
        raise Refused(Refusal.UNKNOWN)
    if person.event_id != event.id:
        raise Refused(Refusal.OTHER_EVENT)
    return person


def by_code(event: Event, typed: str) -> Registration:
    """The registration of `event` with the short code `typed`; Refused if there is none."""
    code = checkin_pass.normalise_code(typed)
    if code is None:
        raise Refused(Refusal.UNKNOWN_CODE)
    person = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.checkin_code == code
        )
    )
    if person is None or person.erased_at is not None:
        raise Refused(Refusal.UNKNOWN_CODE)
    return person
