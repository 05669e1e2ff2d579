"""Who an organiser's message goes to: the segments, defined once.

The count on the message page, the preview's recipient and the sending all read these,
so they cannot disagree. A segment is named by a key ("seated", "waitlist", "offers",
"checked_in", "everyone", or "group:<group key>"); recipients are live registrations whose
personal data is not erased, in id order.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select

from ..extensions import db
from ..models import Event, Registration, State

#: The states of a live registration: confirmed and neither gone nor lapsed.
LIVE = (State.ADMITTED, State.WAITLISTED, State.OFFERED)
GROUP_PREFIX = "group:"

#: The fixed segments, in the order the page offers them: key -> (words, condition).
FIXED = {
    "seated": (_l("Alle med plass"), Registration.state == State.ADMITTED),
    "waitlist": (_l("Ventelisten"), Registration.state == State.WAITLISTED),
    "offers": (_l("De med åpent tilbud om plass"), Registration.state == State.OFFERED),
    "checked_in": (
        _l("De som har kommet (sjekket inn)"),
        (Registration.state == State.ADMITTED) & Registration.checked_in_at.is_not(None),
    ),
    "everyone": (
        _l("Alle påmeldte (med plass, tilbud eller på venteliste)"),
        Registration.state.in_(LIVE),
    ),
}


class UnknownSegment(ValueError):
    """A segment key that names no segment of the event."""


@dataclass(frozen=True)
class Segment:
    """One segment of one event: its key, its words and who is in it."""

    key: str
    words: str
    condition: ColumnElement[bool]


def choices(event: Event) -> list[Segment]:
    """Every segment of `event`: the fixed ones, then one per priority group."""
    fixed = [Segment(key, str(words), condition) for key, (words, condition) in FIXED.items()]
    groups = [
        Segment(
            GROUP_PREFIX + group.key,
            str(_l("Gruppen %(group)s", group=group.label)),
            Registration.state.in_(LIVE) & (Registration.group_id == group.id),
        )
        for group in event.groups
    ]
    return fixed + groups


def find(event: Event, key: str) -> Segment:
    """The segment of `event` named `key`; raises UnknownSegment."""
    for segment in choices(event):
        if segment.key == key:
            return segment
    raise UnknownSegment(key)


def _members(event: Event, segment: Segment):
    return (
        Registration.event_id == event.id,
        Registration.email_normalised.is_not(None),
        segment.condition,
    )


def count(event: Event, key: str) -> int:
    """How many people the segment `key` of `event` reaches now."""
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(*_members(event, find(event, key)))
    )


def counts(event: Event) -> dict[str, int]:
    """The number of recipients of every segment of `event` (one query each)."""
    return {segment.key: count(event, segment.key) for segment in choices(event)}


def recipients(event: Event, key: str) -> list[Registration]:
    """The registrations the segment `key` of `event` reaches now, in id order."""
    return list(
        db.session.scalars(
            select(Registration).where(*_members(event, find(event, key))).order_by(Registration.id)
        )
    )


def words(event: Event, key: str) -> str:
    """The segment in words, or the key itself when the event no longer has it."""
    try:
        return find(event, key).words
    except UnknownSegment:
        return key
