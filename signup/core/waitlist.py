"""Reading the seats and the queue: held, free, overflow, the waitlist's order and positions,
and the offers whose time is up.

Reads only: the decisions are in admission.py. Inside the seat lock these counts stay true
until the commit; outside it they are what the page or the sweep shows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import SEAT_HOLDING, Event, PriorityGroup, Registration, State


def held_seats(event: Event) -> int:
    """Seats held by admitted and offered people."""
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.state.in_(SEAT_HOLDING))
    )


def free(capacity: int, held: int) -> int:
    """Seats not held by anyone; negative never (an overflow shows as 0 here)."""
    return max(capacity - held, 0)


def overflow(capacity: int, held: int) -> int:
    """How many more people hold a seat than there are seats (lowered capacity); 0 if none."""
    return max(held - capacity, 0)


def free_seats(event: Event) -> int:
    """The event's seats not held by anyone (0 in an overflow)."""
    return free(event.capacity, held_seats(event))


def best_rank(event: Event) -> int:
    """The best (lowest) priority rank of the event's groups."""
    return min((group.rank for group in event.groups), default=1)


def priority_groups(event: Event) -> list[PriorityGroup]:
    """The groups of the best rank, when some group ranks below them; else none."""
    best = [group for group in event.groups if group.rank == best_rank(event)]
    return best if len(best) < len(event.groups) else []


def queue_order():
    """ORDER BY terms of the waitlist (with PriorityGroup joined): rank, confirmation, id."""
    return (PriorityGroup.rank, Registration.queued_at, Registration.id)


def waiting(event: Event) -> list[Registration]:
    """Everyone waiting, in the order seats are offered."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(PriorityGroup, Registration.group_id == PriorityGroup.id)
            .where(Registration.event_id == event.id, Registration.state == State.WAITLISTED)
            .order_by(*queue_order())
        )
    )


def _ahead_of(registration: Registration):
    """SQL condition: waiting before `registration` in the queue order."""
    rank, queued_at = registration.group.rank, registration.queued_at
    return or_(
        PriorityGroup.rank < rank,
        and_(PriorityGroup.rank == rank, Registration.queued_at < queued_at),
        and_(
            PriorityGroup.rank == rank,
            Registration.queued_at == queued_at,
            Registration.id < registration.id,
        ),
    )


def position(registration: Registration) -> int | None:
    """1-based place in the waitlist, or None when not waiting."""
    if registration.state != State.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .join(PriorityGroup, Registration.group_id == PriorityGroup.id)
        .where(
            Registration.event_id == registration.event_id,
            Registration.state == State.WAITLISTED,
            _ahead_of(registration),
        )
    )
    return ahead + 1


def length(event: Event) -> int:
    """How many people are waiting."""
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.state == State.WAITLISTED)
    )


def someone_waiting_at_or_above(event: Event, rank: int) -> bool:
    """Whether anyone of `rank` or better is waiting."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .join(PriorityGroup, Registration.group_id == PriorityGroup.id)
            .where(
                Registration.event_id == event.id,
                Registration.state == State.WAITLISTED,
                PriorityGroup.rank <= rank,
            )
        )
        > 0
    )


def _offer_due(at: datetime):
    """SQL condition: an open offer whose time is up at `at`."""
    return and_(Registration.state == State.OFFERED, Registration.offer_expires_at <= at)


def offer_is_due(registration: Registration, at: datetime) -> bool:
    """Whether this registration holds an offer whose time is up at `at`."""
    return registration.state == State.OFFERED and registration.offer_expires_at <= at


def due_offers(event: Event, at: datetime) -> list[Registration]:
    """The event's open offers whose time is up at `at`."""
    return list(
        db.session.scalars(
            select(Registration).where(Registration.event_id == event.id, _offer_due(at))
        )
    )


def due_offer_events(at: datetime) -> list[int]:
    """Events with an offer whose time is up at `at`."""
    return list(db.session.scalars(select(Registration.event_id).where(_offer_due(at)).distinct()))
