"""The admission policy of ARCHITECTURE.md, as code.

- held = admitted + offered; free = capacity - held.
- Until `priority_until`, `reserved_seats` seats are open only to the best rank.
- Waitlist order: group rank, then the moment of confirmation, then id.
- A confirmed person is admitted when a seat is open to their group and nobody of the
  same or better rank is waiting; otherwise they are waitlisted and told their position.
- Whenever seats may have become free, the same transaction calls fill_free_seats():
  each open seat is offered to the head of the waitlist.

Every public function here takes the per-event seat lock and commits; views, jobs and
the CLI call these and never decide about seats themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, inspect, or_, select
from sqlalchemy.orm import joinedload

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import SEAT_HOLDING, Event, PriorityGroup, Registration, State
from . import members, signups
from .lock import seat_lock
from .offer_window import offer_expires_at


class AdmissionError(Exception):
    """A registrant's action that the rules refuse; `reason` names why, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    """What a seat decision did to one registration."""

    registration: Registration
    changed: bool
    #: Seats offered to the waitlist by the same decision (counted by `cancel`).
    offers: int = 0


def seat_is_open(
    *, capacity: int, held: int, reserved: int, reserve_active: bool, priority_rank: bool
) -> bool:
    """The seat rule alone: is a seat open to a person of this kind right now?"""
    if priority_rank or not reserve_active:
        return held < capacity
    return held < capacity - reserved


# -- reading the state (inside or outside the lock) ---------------------------------


def held_seats(event: Event) -> int:
    """Seats held by admitted and offered people."""
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.state.in_(SEAT_HOLDING))
    )


def free_seats(event: Event) -> int:
    """Seats not held by anyone; negative never (an overflow shows as 0 here)."""
    return max(event.capacity - held_seats(event), 0)


def best_rank(event: Event) -> int:
    return min((group.rank for group in event.groups), default=1)


def _seat_open_to(event: Event, rank: int, held: int) -> bool:
    return seat_is_open(
        capacity=event.capacity,
        held=held,
        reserved=event.reserved_seats,
        reserve_active=event.reserve_active(),
        priority_rank=rank <= best_rank(event),
    )


def queue_order():
    """ORDER BY terms of the waitlist (with PriorityGroup joined): rank, confirmation, id."""
    return (PriorityGroup.rank, Registration.queued_at, Registration.id)


def waitlist(event: Event) -> list[Registration]:
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


def waitlist_position(registration: Registration) -> int | None:
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


def waitlist_length(event: Event) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.state == State.WAITLISTED)
    )


def _someone_waiting_at_or_above(event: Event, rank: int) -> bool:
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


# -- transitions (call only inside seat_lock) ----------------------------------------


def _admit(event: Event, registration: Registration) -> None:
    if registration.admitted_at is not None:
        # Admitted before: the new calendar entry must replace the one that was withdrawn.
        registration.calendar_sequence += 1
    registration.state = State.ADMITTED
    registration.admitted_at = now()
    registration.offer_expires_at = None
    outbox.enqueue("admitted", registration)
    if event.briefing_at <= now() < event.starts_at and registration.briefed_at is None:
        registration.briefed_at = now()
        outbox.enqueue("briefing", registration)


def _place(event: Event, registration: Registration) -> None:
    """Admit or waitlist a person who has just joined the queue."""
    rank = registration.group.rank
    registration.queued_at = now()
    # The counts are of other people: this person's pending changes need no flush first,
    # so they reach the database in one UPDATE at commit.
    with db.session.no_autoflush:
        admit = _seat_open_to(event, rank, held_seats(event))
        admit = admit and not _someone_waiting_at_or_above(event, rank)
    if admit:
        _admit(event, registration)
        return
    registration.state = State.WAITLISTED
    with db.session.no_autoflush:
        position = waitlist_position(registration)
    outbox.enqueue("waitlisted", registration, position=position)


def _offer(event: Event, registration: Registration) -> None:
    registration.state = State.OFFERED
    registration.offer_number += 1
    registration.offered_at = now()
    registration.offer_expires_at = offer_expires_at(event, now())
    outbox.enqueue("offer", registration)


def fill_free_seats(event: Event) -> int:
    """Offer each seat open to the head of the waitlist; returns the number of offers."""
    if not event.registration_open():
        return 0
    held = held_seats(event)
    offers = 0
    for person in waitlist(event):
        if not _seat_open_to(event, person.group.rank, held):
            # The queue is in rank order: if the head cannot take a seat, nobody after
            # them of a worse rank can either.
            break
        _offer(event, person)
        held += 1
        offers += 1
    return offers


def _lapse_if_due(event: Event, registration: Registration) -> bool:
    if registration.state == State.OFFERED and registration.offer_expires_at <= now():
        registration.state = State.LAPSED
        registration.left_at = now()
        outbox.enqueue("lapsed", registration)
        return True
    return False


# -- the public decisions --------------------------------------------------------------


def _event_id_of(public_id: str) -> int:
    # A registration never moves to another event, so one already in the session (the view
    # has just read it from the link) names the event to lock without another query.
    for instance in db.session.identity_map.values():
        if not isinstance(instance, Registration):
            continue
        loaded = inspect(instance).dict
        if loaded.get("public_id") == public_id and "event_id" in loaded:
            return loaded["event_id"]
    event_id = db.session.scalar(
        select(Registration.event_id).where(Registration.public_id == public_id)
    )
    if event_id is None:
        raise AdmissionError("unknown")
    return event_id


def _load(public_id: str) -> Registration:
    # Re-read under the lock (what the decision rests on), with the group the rules need.
    return db.session.execute(
        select(Registration)
        .options(joinedload(Registration.group, innerjoin=True))
        .where(Registration.public_id == public_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _decide(public_id: str, decision) -> Outcome:
    with seat_lock(_event_id_of(public_id)) as event:
        registration = _load(public_id)
        changed = decision(event, registration)
    return Outcome(registration, bool(changed))


def confirm(public_id: str, version: int = 0) -> Outcome:
    """Confirm a sign-up and admit or waitlist the person; a second confirm changes nothing.

    `version` is the confirm link's: the details it was sent for become the person's own.
    """

    def decision(event: Event, registration: Registration) -> bool:
        if registration.state != State.UNCONFIRMED:
            return False
        if not event.registration_open():
            raise AdmissionError("closed")
        if registration.confirm_expires_at <= now():
            raise AdmissionError("expired")
        try:
            signups.take(registration, version)
        except signups.Superseded as error:
            raise AdmissionError("superseded") from error
        registration.confirmed_at = now()
        _place(event, registration)
        return True

    return _decide(public_id, decision)


def cancel(public_id: str, by_organiser: bool = False, reason: str = "") -> Outcome:
    """Give up a seat, an offer or a waitlist place; the freed seat is offered at once.

    `by_organiser` says in the email that the organiser cancelled, with their `reason`.
    """
    offers = 0

    def decision(event: Event, registration: Registration) -> bool:
        nonlocal offers
        if _lapse_if_due(event, registration):
            # The offer ran out before the sweep saw it: its seat goes on now.
            offers = fill_free_seats(event)
            return True
        if registration.state not in (State.ADMITTED, State.OFFERED, State.WAITLISTED):
            return False
        # Only an admitted person has the meeting in their calendar (from the admission email).
        had_calendar = registration.state == State.ADMITTED
        if had_calendar:
            registration.calendar_sequence += 1
        registration.state = State.CANCELLED
        registration.left_at = now()
        registration.offer_expires_at = None
        outbox.enqueue(
            "cancelled",
            registration,
            withdraw_calendar=had_calendar,
            by_organiser=by_organiser,
            reason=reason,
        )
        offers = fill_free_seats(event)
        return True

    return replace(_decide(public_id, decision), offers=offers)


def accept(public_id: str, offer_number: int) -> Outcome:
    """Take an offered seat, if this offer is still open."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.offer_number != offer_number:
            raise AdmissionError("stale_offer")
        if _lapse_if_due(event, registration):
            fill_free_seats(event)
            return True
        if registration.state != State.OFFERED:
            return False
        _admit(event, registration)
        return True

    return _decide(public_id, decision)


def decline(public_id: str, offer_number: int) -> Outcome:
    """Turn an offer down; the seat goes to the next person at once."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.offer_number != offer_number:
            raise AdmissionError("stale_offer")
        lapsed = _lapse_if_due(event, registration)
        if registration.state == State.OFFERED:
            registration.state = State.DECLINED
            registration.left_at = now()
            registration.offer_expires_at = None
            outbox.enqueue("declined", registration)
            lapsed = True
        if lapsed:
            fill_free_seats(event)
        return lapsed

    return _decide(public_id, decision)


def rejoin(public_id: str) -> Outcome:
    """Put someone who declined, lapsed or cancelled back in the queue, at the back."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.state not in (State.DECLINED, State.LAPSED, State.CANCELLED):
            return False
        if not event.registration_open():
            raise AdmissionError("closed")
        _place(event, registration)
        return True

    return _decide(public_id, decision)


def set_capacity(event_id: int, capacity: int, edit: Callable[[Event], None] | None = None) -> int:
    """Change the number of seats; raising it offers the new seats at once.

    Lowering it below the seats held removes nobody: the overflow is shown to the
    organiser, who decides. `edit(event)` runs first in the same lock and transaction
    (other settings changed together with the seats, such as an event file's). Returns
    the number of offers made.
    """
    if capacity < 0:
        raise AdmissionError("negative_capacity")
    with seat_lock(event_id) as event:
        if edit is not None:
            edit(event)
        event.capacity = capacity
        return fill_free_seats(event)


def expire_offers(event_id: int) -> int:
    """Lapse offers whose time is up and pass their seats on; returns how many lapsed."""
    with seat_lock(event_id) as event:
        due = db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.state == State.OFFERED,
                Registration.offer_expires_at <= now(),
            )
        ).all()
        for registration in due:
            _lapse_if_due(event, registration)
        if due:
            fill_free_seats(event)
        return len(due)


def release_reserve(event_id: int) -> int:
    """Once `priority_until` passes, offer the reserved seats to everyone; runs once."""
    with seat_lock(event_id) as event:
        if event.reserve_released_at or event.reserve_active() or not event.priority_until:
            return 0
        event.reserve_released_at = now()
        return fill_free_seats(event)


def close_waitlist(event_id: int) -> int:
    """At registration close, tell everyone still waiting that no seat freed; runs once."""
    with seat_lock(event_id) as event:
        if event.closed_at or event.registration_open():
            return 0
        event.closed_at = now()
        for registration in db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.state == State.OFFERED,
                Registration.offer_expires_at <= now(),
            )
        ):
            _lapse_if_due(event, registration)
        told = 0
        for registration in waitlist(event):
            registration.closed_notice_at = now()
            outbox.enqueue("waitlist_closed", registration)
            told += 1
        return told


def open_offers(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.state == State.OFFERED)
            .order_by(Registration.offer_expires_at)
        )
    )


def due_offer_events(at: datetime) -> list[int]:
    """Events with an offer whose time is up."""
    return list(
        db.session.scalars(
            select(Registration.event_id)
            .where(Registration.state == State.OFFERED, Registration.offer_expires_at <= at)
            .distinct()
        )
    )


# -- the organiser's decisions (dashboard) ---------------------------------------------
# Kept together at the end of the module so other edits above merge cleanly.


def grant_seat(public_id: str, allow_overflow: bool = False) -> Outcome:
    """Admit a waitlisted person directly, ahead of the queue; beyond capacity only if allowed."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.state != State.WAITLISTED:
            raise AdmissionError("not_waiting")
        if held_seats(event) >= event.capacity and not allow_overflow:
            raise AdmissionError("full")
        _admit(event, registration)
        return True

    return _decide(public_id, decision)


def move_group(public_id: str, group_key: str) -> Outcome:
    """Put a person in another priority group; their waitlist place follows the new rank."""

    def decision(event: Event, registration: Registration) -> bool:
        group = next((g for g in event.groups if g.key == group_key), None)
        if group is None:
            raise AdmissionError("unknown_group")
        check = members.after_move(event, group)
        if registration.group_id == group.id and registration.group_check == check:
            return False
        registration.group = group
        registration.group_check = check
        db.session.flush()
        # A better rank may open a reserved seat, or put them ahead of the queue's head.
        fill_free_seats(event)
        return True

    return _decide(public_id, decision)
