"""Handing a seat to a colleague: start, withdraw, refuse and lapse a handover.

A person with a seat names a colleague (name and address) on their manage page. The
colleague is emailed a link (salt `handover`) to a page with one button; its POST takes
the seat (`admission.accept_handover`): the colleague gets a registration of their own
(admitted, in the giver's group, confirmed now) and the giver's ends `transferred`.
The seat never comes free in between: held and free stay as they were.

Where the giver's group has a member list and the colleague's address is not on it, the
colleague confirms first; the handover then waits for an organiser (`awaiting_approval`),
who approves it (`admission.approve_handover`, the seat moves) or refuses it (here; the
giver keeps the seat). A pending handover the colleague has not confirmed within
`offer_hours` of waking time lapses, and the giver keeps the seat.

Nothing here moves a seat; every function still runs in the event's seat lock, so a
handover is started, ended or taken one at a time with the event's other seat decisions.
Whether the colleague is already registered is checked only when they answer, and told
only to them: the giver learns nothing about who else is registered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import (
    HANDOVER_OPEN,
    Event,
    EventStatus,
    Handover,
    HandoverState,
    Registration,
    State,
)
from . import audit, members
from .addresses import normalise_email
from .audit import Actor
from .errors import Refusal, Refused
from .lock import seat_lock
from .offer_window import window_end

#: Handovers one registration may start in a day (a seat holder cannot mail many people).
MAX_PER_DAY = 3
#: States of a registration that is someone's own: the colleague cannot take a second seat.
LIVE = (State.UNCONFIRMED, State.ADMITTED, State.OFFERED, State.WAITLISTED)


def may_hand_over(registration: Registration) -> bool:
    """Only a person with a seat, before the meeting starts, of an event not cancelled."""
    event = registration.event
    return (
        registration.state == State.ADMITTED
        and event.status != EventStatus.CANCELLED
        and now() < event.starts_at
    )


def for_the_seat_held(handover: Handover) -> bool:
    """Whether the giver still holds the seat they offered (not one they got again later)."""
    giver = handover.giver
    return (
        may_hand_over(giver)
        and giver.admitted_at is not None
        and giver.admitted_at <= handover.created_at
    )


def deadline(event: Event, start: datetime) -> datetime:
    """The colleague answers within `offer_hours` (quiet hours as for offers), before the start."""
    return min(window_end(event, start), event.starts_at)


def start(registration: Registration, name: str, email: str, language: str = "nb") -> Handover:
    """Offer the seat of `registration` to a colleague, and email them the link."""
    with seat_lock(registration.event_id) as event:
        giver = _registration(registration.id)
        if giver is None or not may_hand_over(giver):
            raise Refused(Refusal.NO_SEAT_TO_HAND_OVER)
        if normalise_email(email) == giver.email_normalised:
            raise Refused(Refusal.HANDOVER_TO_SELF)
        if open_for(giver) is not None or _started_today(giver) >= MAX_PER_DAY:
            raise Refused(Refusal.HANDOVER_LIMIT)
        domains = members.group_domains(giver.group)
        handover = Handover(
            event=event,
            giver=giver,
            colleague_name=name.strip(),
            colleague_email=email.strip(),
            language=language,
            needs_approval=bool(domains) and not members.matches(email, domains),
            expires_at=deadline(event, now()),
            created_at=now(),
        )
        db.session.add(handover)
        db.session.flush()
        outbox.enqueue_about_handover("handover_invite", handover)
        return handover


def withdraw(registration: Registration) -> bool:
    """The giver takes back the handover still open; they keep the seat. False: none was."""
    with seat_lock(registration.event_id):
        giver = _registration(registration.id)
        handover = open_for(giver) if giver is not None else None
        if handover is None:
            return False
        _end(handover, HandoverState.WITHDRAWN)
        return True


def end_with_seat(giver: Registration) -> None:
    """The giver's seat went another way (cancelled): their open handover ends with it.

    Adds to the caller's seat decision; the colleague's link then says it has ended, and
    an organiser has nothing left to approve.
    """
    handover = open_for(giver)
    if handover is not None:
        _end(handover, HandoverState.WITHDRAWN)


def refuse(handover: Handover, *, by: Actor) -> Handover:
    """The organiser refuses a handover waiting for approval; the giver keeps the seat."""
    with seat_lock(handover.event_id) as event:
        current = load(handover.id)
        if current is None or current.state != HandoverState.AWAITING_APPROVAL:
            raise Refused(Refusal.HANDOVER_ENDED)
        _end(current, HandoverState.REFUSED)
        if for_the_seat_held(current):
            outbox.enqueue("handover_refused", current.giver, handover=current.id)
        outbox.enqueue_about_handover("handover_not_approved", current)
        audit.add("handover_refuse", event, current.giver, detail=_detail(current), by=by)
        return current


def lapse_due(event_id: int) -> int:
    """Lapse the event's handovers whose time is up; the giver keeps the seat and is told."""
    with seat_lock(event_id):
        due = db.session.scalars(
            select(Handover)
            .options(joinedload(Handover.giver))
            .where(Handover.event_id == event_id, _due(now()))
            .execution_options(populate_existing=True)
        ).all()
        for handover in due:
            _end(handover, HandoverState.LAPSED)
            if for_the_seat_held(handover):
                outbox.enqueue("handover_lapsed", handover.giver, handover=handover.id)
        return len(due)


def due_events(at: datetime) -> list[int]:
    """The events with a handover whose time is up (for the sweep)."""
    return list(db.session.scalars(select(Handover.event_id).where(_due(at)).distinct()))


def check_takeable(event: Event, handover: Handover) -> None:
    """Raise Refused unless the colleague may take the seat now (called in the seat lock)."""
    if handover.state not in HANDOVER_OPEN or handover.expires_at <= now():
        raise Refused(Refusal.HANDOVER_ENDED)
    if not for_the_seat_held(handover):
        raise Refused(Refusal.HANDOVER_ENDED)
    if colleague_registered(event, handover):
        raise Refused(Refusal.ALREADY_REGISTERED)


def colleague_registered(event: Event, handover: Handover) -> bool:
    """Whether the colleague's address already has a live registration for the event."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.email_normalised == normalise_email(handover.colleague_email),
                Registration.state.in_(LIVE),
            )
        )
        > 0
    )


def mark_accepted(handover: Handover, taker: Registration, *, by: Actor) -> None:
    """Record in the caller's transaction that `taker` took the seat (admission calls it).

    An organiser's approval is audited; the people's own steps show on the person page.
    """
    _end(handover, HandoverState.ACCEPTED)
    handover.taker = taker
    if by is None:
        return
    detail = f"{_detail(handover)}; plassen gikk til påmelding {taker.id}"
    audit.add("handover", handover.event, handover.giver, detail=detail, by=by)


# -- reads --------------------------------------------------------------------------------


def standing(handover: Handover) -> str:
    """Where a handover stands as its colleague reads it (the page they open says so).

    open, registered (they hold a registration already), seat_gone (the giver no longer
    has the seat), lapsed, withdrawn, refused, awaiting_approval or accepted.
    """
    if handover.state != HandoverState.PENDING:
        return HandoverState(handover.state).value
    if handover.expires_at <= now():
        return "lapsed"
    if not for_the_seat_held(handover):
        return "seat_gone"
    if colleague_registered(handover.event, handover):
        return "registered"
    return "open"


def load(handover_id: int) -> Handover | None:
    """The handover re-read (under the lock), with its giver and their group."""
    return db.session.execute(
        select(Handover)
        .options(joinedload(Handover.giver).joinedload(Registration.group))
        .where(Handover.id == handover_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def by_public_id(public_id: str) -> Handover | None:
    return db.session.scalar(select(Handover).where(Handover.public_id == public_id))


def open_for(giver: Registration) -> Handover | None:
    """The giver's handover that may still move the seat they hold now, if any."""
    if giver.admitted_at is None:
        return None
    return db.session.scalar(
        select(Handover).where(
            Handover.giver_id == giver.id,
            Handover.state.in_(HANDOVER_OPEN),
            Handover.created_at >= giver.admitted_at,
        )
    )


def of_person(registration: Registration) -> list[Handover]:
    """The handovers a person gave or took, newest first (the organiser's person page)."""
    return list(
        db.session.scalars(
            select(Handover)
            .where((Handover.giver_id == registration.id) | (Handover.taker_id == registration.id))
            .order_by(Handover.created_at.desc(), Handover.id.desc())
        )
    )


def awaiting_approval(event: Event) -> list[Handover]:
    """The event's handovers the colleague confirmed that wait for an organiser."""
    return list(
        db.session.scalars(
            select(Handover)
            .options(joinedload(Handover.giver))
            .where(
                Handover.event_id == event.id,
                Handover.state == HandoverState.AWAITING_APPROVAL,
            )
            .order_by(Handover.confirmed_at, Handover.id)
        )
    )


def _registration(registration_id: int) -> Registration | None:
    return db.session.execute(
        select(Registration)
        .options(joinedload(Registration.group))
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _started_today(giver: Registration) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Handover)
        .where(Handover.giver_id == giver.id, Handover.created_at > now() - timedelta(days=1))
    )


def _due(at: datetime):
    return Handover.state.in_(HANDOVER_OPEN) & (Handover.expires_at <= at)


def _end(handover: Handover, state: HandoverState) -> None:
    handover.state = state
    handover.ended_at = now()


def _detail(handover: Handover) -> str:
    # Rows by id only: the audit log holds no names or addresses.
    return f"overføring {handover.id}"
