"""The admission policy of ARCHITECTURE.md, as code: the decisions only.

- held = admitted + offered; free = capacity - held (read in waitlist.py).
- Until `priority_until`, `reserved_seats` seats are open only to the best rank.
- Waitlist order: group rank, then the moment of confirmation, then id.
- A confirmed person is admitted when a seat is open to their group and nobody of the
  same or better rank is waiting; otherwise they are waitlisted and told their position.
- Whenever seats may have become free, the same transaction calls fill_free_seats():
  each open seat is offered to the head of the waitlist.

Every public function here is one transaction: it takes the per-event seat lock and
commits. A decision taken by someone other than the person (`by`: an organiser, or the
operator's name on the command line) writes its audit entry inside the same lock.
Views, jobs and the CLI call these and never decide about seats themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import Event, EventStatus, GroupCheck, Handover, HandoverState, Registration, State
from . import audit, members, retention, signups, waitlist, walkins
from . import handover as handovers
from .addresses import normalise_email
from .audit import Actor
from .errors import Refusal, Refused
from .lock import seat_lock
from .offer_window import offer_expires_at


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


def _seat_open_to(event: Event, rank: int, held: int) -> bool:
    return seat_is_open(
        capacity=event.capacity,
        held=held,
        reserved=event.reserved_seats,
        reserve_active=event.reserve_active(),
        priority_rank=rank <= waitlist.best_rank(event),
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
        admit = _seat_open_to(event, rank, waitlist.held_seats(event))
        admit = admit and not waitlist.someone_waiting_at_or_above(event, rank)
    if admit:
        _admit(event, registration)
        return
    registration.state = State.WAITLISTED
    with db.session.no_autoflush:
        position = waitlist.position(registration)
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
    held = waitlist.held_seats(event)
    offers = 0
    for person in waitlist.waiting(event):
        if not _seat_open_to(event, person.group.rank, held):
            # The queue is in rank order: if the head cannot take a seat, nobody after
            # them of a worse rank can either.
            break
        _offer(event, person)
        held += 1
        offers += 1
    return offers


def _lapse_if_due(registration: Registration) -> bool:
    if waitlist.offer_is_due(registration, now()):
        registration.state = State.LAPSED
        registration.left_at = now()
        outbox.enqueue("lapsed", registration)
        return True
    return False


# -- the public decisions --------------------------------------------------------------


def _load(registration_id: int) -> Registration:
    # Re-read under the lock (what the decision rests on), with the group the rules need.
    return db.session.execute(
        select(Registration)
        .options(joinedload(Registration.group, innerjoin=True))
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _decide(registration: Registration, decision) -> Outcome:
    # A registration never moves to another event: the caller's copy names the event to lock.
    # Both are read before the lock begins its transaction (which expires the copy).
    registration_id, event_id = registration.id, registration.event_id
    with seat_lock(event_id) as event:
        current = _load(registration_id)
        if current is None:
            raise Refused(Refusal.UNKNOWN)
        changed = decision(event, current)
    return Outcome(current, bool(changed))


def confirm(registration: Registration, version: int = 0) -> Outcome:
    """Confirm a sign-up and admit or waitlist the person; a second confirm changes nothing.

    `version` is the confirm link's: the details it was sent for become the person's own.
    """

    def decision(event: Event, registration: Registration) -> bool:
        if registration.state != State.UNCONFIRMED:
            return False
        if not event.registration_open():
            raise Refused(Refusal.CLOSED)
        if registration.confirm_expires_at <= now():
            raise Refused(Refusal.EXPIRED)
        signups.take(registration, version)
        registration.confirmed_at = now()
        _place(event, registration)
        return True

    return _decide(registration, decision)


def cancel(registration: Registration, reason: str = "", *, by: Actor = None) -> Outcome:
    """Give up a seat, an offer or a waitlist place; the freed seat is offered at once.

    `by` None is the person themself; an organiser (`by`) is named in the email, with their
    `reason`, and the cancellation is audited in the same transaction.
    """
    offers = 0

    def decision(event: Event, registration: Registration) -> bool:
        nonlocal offers
        if _lapse_if_due(registration):
            # The offer ran out before the sweep saw it: its seat goes on now.
            offers = fill_free_seats(event)
        elif registration.state in (State.ADMITTED, State.OFFERED, State.WAITLISTED):
            _cancel(registration, reason, by_organiser=by is not None)
            offers = fill_free_seats(event)
        else:
            return False
        if by is not None:
            audit.add("cancel", event, registration, by=by)
        return True

    return replace(_decide(registration, decision), offers=offers)


def _cancel(registration: Registration, reason: str, by_organiser: bool) -> None:
    # Only an admitted person has the meeting in their calendar (from the admission email).
    had_calendar = registration.state == State.ADMITTED
    if had_calendar:
        registration.calendar_sequence += 1
        handovers.end_with_seat(registration)
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


def accept(registration: Registration, offer_number: int) -> Outcome:
    """Take an offered seat, if this offer is still open."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.offer_number != offer_number:
            raise Refused(Refusal.STALE_OFFER)
        if _lapse_if_due(registration):
            fill_free_seats(event)
            return True
        if registration.state != State.OFFERED:
            return False
        _admit(event, registration)
        return True

    return _decide(registration, decision)


def decline(registration: Registration, offer_number: int) -> Outcome:
    """Turn an offer down; the seat goes to the next person at once."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.offer_number != offer_number:
            raise Refused(Refusal.STALE_OFFER)
        lapsed = _lapse_if_due(registration)
        if registration.state == State.OFFERED:
            registration.state = State.DECLINED
            registration.left_at = now()
            registration.offer_expires_at = None
            outbox.enqueue("declined", registration)
            lapsed = True
        if lapsed:
            fill_free_seats(event)
        return lapsed

    return _decide(registration, decision)


def rejoin(registration: Registration) -> Outcome:
    """Put someone who declined, lapsed or cancelled back in the queue, at the back."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.state not in (State.DECLINED, State.LAPSED, State.CANCELLED):
            return False
        if not event.registration_open():
            raise Refused(Refusal.CLOSED)
        _place(event, registration)
        return True

    return _decide(registration, decision)


def set_capacity(
    event_id: int, capacity: int, edit: Callable[[Event], None] | None = None, *, by: Actor
) -> int:
    """Change the number of seats; raising it offers the new seats at once.

    Lowering it below the seats held removes nobody: the overflow is shown to the
    organiser, who decides. `edit(event)` runs first in the same lock and transaction
    (other settings changed together with the seats, such as an event file's) and writes
    its own audit entry; without it a change is audited as `capacity`, by `by`. Returns
    the number of offers made.
    """
    if capacity < 0:
        raise Refused(Refusal.NEGATIVE_CAPACITY)
    with seat_lock(event_id) as event:
        if edit is not None:
            edit(event)
        before, event.capacity = event.capacity, capacity
        offers = fill_free_seats(event)
        if edit is None and by is not None and (before != capacity or offers):
            detail = f"{before} -> {capacity}; {offers} tilbud sendt"
            audit.add("capacity", event, detail=detail, by=by)
        return offers


def expire_offers(event_id: int) -> int:
    """Lapse offers whose time is up and pass their seats on; returns how many lapsed."""
    with seat_lock(event_id) as event:
        due = waitlist.due_offers(event, now())
        for registration in due:
            _lapse_if_due(registration)
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
        for registration in waitlist.due_offers(event, now()):
            _lapse_if_due(registration)
        told = 0
        for registration in waitlist.waiting(event):
            registration.closed_notice_at = now()
            outbox.enqueue("waitlist_closed", registration)
            told += 1
        return told


# -- the organiser's decisions (dashboard) ---------------------------------------------
# Kept together at the end of the module so other edits above merge cleanly.


def grant_seat(registration: Registration, allow_overflow: bool = False, *, by: Actor) -> Outcome:
    """Admit a waitlisted person directly, ahead of the queue; beyond capacity only if allowed."""

    def decision(event: Event, registration: Registration) -> bool:
        if registration.state != State.WAITLISTED:
            raise Refused(Refusal.NOT_WAITING)
        if waitlist.held_seats(event) >= event.capacity and not allow_overflow:
            raise Refused(Refusal.FULL)
        _admit(event, registration)
        detail = "over kapasitet" if allow_overflow else ""
        audit.add("grant_seat", event, registration, detail=detail, by=by)
        return True

    return _decide(registration, decision)


def move_group(registration: Registration, group_key: str, *, by: Actor) -> Outcome:
    """Put a person in another priority group; their waitlist place follows the new rank."""

    def decision(event: Event, registration: Registration) -> bool:
        group = next((g for g in event.groups if g.key == group_key), None)
        if group is None:
            raise Refused(Refusal.UNKNOWN_GROUP)
        check = members.after_move(event, group)
        if registration.group_id == group.id and registration.group_check == check:
            return False
        before = registration.group.key
        registration.group = group
        registration.group_check = check
        db.session.flush()
        # A better rank may open a reserved seat, or put them ahead of the queue's head.
        fill_free_seats(event)
        audit.add("move_group", event, registration, detail=f"{before} -> {group_key}", by=by)
        return True

    return _decide(registration, decision)


# -- the person's own "erase my data" (the manage page) ------------------------------

_LEAVING = (State.ADMITTED, State.OFFERED, State.WAITLISTED)


def erase_on_request(registration: Registration) -> Outcome:
    """Erase a person's data at their request, now or (kept for tracing) when the list goes.

    Before the meeting their place is given up first (its seat offered on at once), and
    their data and emails are erased in the same transaction. While the attendee list must
    be kept for contact tracing, the request is recorded and the retention sweep erases
    the data when the period ends. The audit entry names the row only.
    """

    def decision(event: Event, registration: Registration) -> bool:
        if registration.erased_at is not None:
            return False
        if retention.kept_for_tracing(registration):
            if registration.erasure_requested_at is not None:
                return False
            registration.erasure_requested_at = now()
            audit.add("erasure_requested", event, registration, by=None)
            return True
        _lapse_if_due(registration)
        if registration.state in _LEAVING:
            # Their emails are erased below, the cancellation's too: the page tells them.
            _cancel(registration, "", by_organiser=False)
        fill_free_seats(event)
        retention.erase_registrations(Registration.id == registration.id)
        audit.add("erased_on_request", event, registration, by=None)
        return True

    return _decide(registration, decision)


# -- handing a seat to a colleague (core/handover.py starts, withdraws, refuses, lapses) --


def accept_handover(handover: Handover) -> Outcome:
    """The colleague takes the seat handed to them (their link's button).

    Where the giver's group has a member list without the colleague's address, this only
    records their yes: the handover then waits for an organiser (`approve_handover`).
    The outcome's registration is the colleague's once the seat moved, else the giver's.
    """

    def decision(event: Event, current: Handover) -> bool:
        if current.state == HandoverState.AWAITING_APPROVAL:
            return False
        handovers.check_takeable(event, current)
        current.confirmed_at = now()
        if current.needs_approval:
            current.state = HandoverState.AWAITING_APPROVAL
            current.expires_at = event.starts_at
            return True
        check = members.check_for(
            event,
            current.giver.group,
            current.colleague_email,
            members.group_domains(current.giver.group),
        )
        _transfer(event, current, check, by=None)
        return True

    return _decide_handover(handover, decision)


def approve_handover(handover: Handover, *, by: Actor) -> Outcome:
    """The organiser lets a colleague off the member list take the seat they confirmed."""

    def decision(event: Event, current: Handover) -> bool:
        if current.state != HandoverState.AWAITING_APPROVAL:
            raise Refused(Refusal.HANDOVER_ENDED)
        handovers.check_takeable(event, current)
        _transfer(event, current, GroupCheck.ACCEPTED, by=by)
        return True

    return _decide_handover(handover, decision)


def _decide_handover(handover: Handover, decision) -> Outcome:
    handover_id, event_id = handover.id, handover.event_id
    with seat_lock(event_id) as event:
        current = handovers.load(handover_id)
        if current is None:
            raise Refused(Refusal.HANDOVER_ENDED)
        changed = decision(event, current)
        return Outcome(current.taker or current.giver, bool(changed))


def _transfer(event: Event, handover: Handover, check: GroupCheck, *, by: Actor) -> None:
    """The seat moves from giver to colleague in one step: held and free stay as they were."""
    giver = handover.giver
    address = normalise_email(handover.colleague_email)
    # An earlier registration of theirs that has ended (cancelled, declined...) is reused:
    # one registration per address and event.
    taker = signups.find(event, address) or Registration(
        event=event, email_normalised=address, created_at=now()
    )
    taker.group, taker.group_check = giver.group, check
    taker.name, taker.email = handover.colleague_name, handover.colleague_email
    taker.language, taker.pending_details = handover.language, None
    taker.consented_at = taker.confirmed_at = taker.confirm_expires_at = now()
    # The colleague stands where the giver stood in the order of confirmation.
    taker.queued_at = giver.queued_at
    db.session.add(taker)
    db.session.flush()
    giver.calendar_sequence += 1
    giver.state = State.TRANSFERRED
    giver.left_at = now()
    outbox.enqueue("transferred", giver, withdraw_calendar=True, handover=handover.id)
    _admit(event, taker)
    handovers.mark_accepted(handover, taker, by=by)


def admit_walk_in(
    event_id: int, person: walkins.WalkIn, allow_overflow: bool = False, *, by: Actor
) -> Outcome:
    """Seat someone who came without a registration and check them in, in one decision.

    They get a seat when one is open to their group (the same seat rule as everyone's),
    or beyond capacity only when `allow_overflow` is ticked; else Refused(FULL). Nobody is
    emailed. The same walk-in sent twice (name and phone) changes nothing the second time;
    someone signed up with a seat under the address given is refused (HAS_SEAT).
    """
    with seat_lock(event_id) as event:
        if event.status == EventStatus.CANCELLED:
            raise Refused(Refusal.EVENT_CANCELLED)
        before = walkins.added_before(event, person)
        if before is not None:
            return Outcome(before, changed=False)
        walkins.refuse_if_seated(event, person)
        registration = walkins.row_for(event, person)
        seat_open = _seat_open_to(event, registration.group.rank, waitlist.held_seats(event))
        if not seat_open and not allow_overflow:
            raise Refused(Refusal.FULL)
        registration.state = State.ADMITTED
        registration.admitted_at = registration.checked_in_at = now()
        db.session.add(registration)
        db.session.flush()
        detail = "" if seat_open else "over kapasitet"
        audit.add("walk_in", event, registration, detail=detail, by=by)
        return Outcome(registration, changed=True)
