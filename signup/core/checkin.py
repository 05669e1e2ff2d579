"""Check-in at the door: each tap one transaction with its audit entry."""

from __future__ import annotations

from ..clock import now
from ..models import Registration, State
from . import audit
from .audit import Actor
from .lock import write_transaction


def check_in(person: Registration, *, by: Actor) -> str:
    """Mark an admitted person as arrived: "arrived", "already" or "no_seat"."""
    with write_transaction():
        if person.state != State.ADMITTED:
            return "no_seat"
        if person.checked_in_at is not None:
            return "already"
        person.checked_in_at = now()
        audit.add("check_in", person.event, person, by=by)
    return "arrived"


def undo_check_in(person: Registration, *, by: Actor) -> bool:
    """Take back an arrival; returns whether there was one."""
    with write_transaction():
        if person.checked_in_at is None:
            return False
        person.checked_in_at = None
        audit.add("undo_check_in", person.event, person, by=by)
    return True
