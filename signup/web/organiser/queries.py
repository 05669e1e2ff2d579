"""What the dashboard reads. Each function is a fixed number of queries, whatever the size."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

# The core's own counts and queue order, so the dashboard cannot drift from who gets offered.
from ...core import waitlist
from ...extensions import db
from ...models import (
    SEAT_HOLDING,
    AuditEntry,
    Event,
    MessageState,
    OutboxMessage,
    PriorityGroup,
    Registration,
    State,
)
from ..collation import norwegian_key
from . import paging
from .paging import Page

#: At most this many people in the check-in list; the search narrows it.
TABLE_LIMIT = 1000
#: How much of the waitlist the event page shows; the waitlist page has the rest.
WAITLIST_HEAD = 20


@dataclass
class SeatCounts:
    """Counts per state and per (group, state) for one event."""

    capacity: int
    by_state: Counter = field(default_factory=Counter)
    by_group: dict[int, Counter] = field(default_factory=dict)

    @property
    def admitted(self) -> int:
        return self.by_state[State.ADMITTED]

    @property
    def offered(self) -> int:
        return self.by_state[State.OFFERED]

    @property
    def held(self) -> int:
        return sum(self.by_state[state] for state in SEAT_HOLDING)

    @property
    def free(self) -> int:
        return waitlist.free(self.capacity, self.held)

    @property
    def overflow(self) -> int:
        return waitlist.overflow(self.capacity, self.held)


def seat_counts(event: Event) -> SeatCounts:
    counts = SeatCounts(capacity=event.capacity)
    counts.by_group = {group.id: Counter() for group in event.groups}
    rows = db.session.execute(
        select(Registration.group_id, Registration.state, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.group_id, Registration.state)
    )
    for group_id, state, number in rows:
        counts.by_state[state] += number
        counts.by_group.setdefault(group_id, Counter())[state] += number
    return counts


def event_summaries() -> list[tuple[Event, SeatCounts]]:
    """Every event, newest first, with its counts: two queries."""
    events = list(db.session.scalars(select(Event).order_by(Event.starts_at.desc())))
    counts = {event.id: SeatCounts(capacity=event.capacity) for event in events}
    rows = db.session.execute(
        select(Registration.event_id, Registration.state, func.count()).group_by(
            Registration.event_id, Registration.state
        )
    )
    for event_id, state, number in rows:
        counts[event_id].by_state[state] += number
    return [(event, counts[event.id]) for event in events]


def with_group():
    """Registrations with their group loaded in the same query."""
    return (
        select(Registration)
        .join(PriorityGroup, Registration.group_id == PriorityGroup.id)
        .options(contains_eager(Registration.group))
    )


def _waiting(event: Event):
    return (
        with_group()
        .where(Registration.event_id == event.id, Registration.state == State.WAITLISTED)
        .order_by(*waitlist.queue_order())
    )


def waitlist_head(event: Event, size: int = WAITLIST_HEAD) -> list[Registration]:
    """The first `size` people waiting, in the order seats are offered."""
    return list(db.session.scalars(_waiting(event).limit(size)))


def waitlist_page(event: Event, number: int) -> Page[Registration]:
    """One page of everyone waiting, in the order seats are offered."""
    return paging.of_query(_waiting(event), number)


def open_offers(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            with_group()
            .where(Registration.event_id == event.id, Registration.state == State.OFFERED)
            .order_by(Registration.offer_expires_at)
        )
    )


def failed_mail_to_offered(event: Event) -> set[int]:
    """Ids of people with an open offer who have an email that failed for good."""
    return set(
        db.session.scalars(
            select(Registration.id)
            .join(OutboxMessage, OutboxMessage.registration_id == Registration.id)
            .where(
                Registration.event_id == event.id,
                Registration.state == State.OFFERED,
                OutboxMessage.state == MessageState.FAILED,
            )
        )
    )


def _table_conditions(event: Event, state: str, group: str) -> list:
    conditions = [Registration.event_id == event.id]
    if state in {s.value for s in State}:
        conditions.append(Registration.state == State(state))
    if group:
        conditions.append(PriorityGroup.key == group)
    return conditions


def _matches(words: list[str], *texts: str) -> bool:
    # Matched here, not in SQL: SQLite's LIKE and lower() fold only ASCII, and names have æøå.
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)


def registrations(
    event: Event, search: str = "", state: str = "", group: str = "", limit: int = TABLE_LIMIT
) -> list[Registration]:
    """Registrations matching a search in name, email or organisation, a state and a group."""
    query = with_group().where(*_table_conditions(event, state, group))
    query = query.order_by(Registration.name, Registration.id)
    if not search:
        return list(db.session.scalars(query.limit(limit)))
    words = search.casefold().split()
    found = []
    for registration in db.session.scalars(query):
        if _matches(words, registration.name, registration.email, registration.organisation):
            found.append(registration)
            if len(found) >= limit:
                break
    return found


def registration_page(
    event: Event, number: int, search: str = "", state: str = "", group: str = ""
) -> Page[Registration]:
    """One page of the registration table by name, narrowed by a search, a state and a group."""
    conditions = _table_conditions(event, state, group)
    by_name = (Registration.name, Registration.id)
    if not search:
        return paging.of_query(with_group().where(*conditions).order_by(*by_name), number)
    # A search reads four columns of every candidate and whole rows for one page only.
    words = search.casefold().split()
    candidates = db.session.execute(
        select(Registration.id, Registration.name, Registration.email, Registration.organisation)
        .join(PriorityGroup, Registration.group_id == PriorityGroup.id)
        .where(*conditions)
        .order_by(*by_name)
    )
    found = paging.of_list([row.id for row in candidates if _matches(words, *row[1:])], number)
    rows = db.session.scalars(
        with_group().where(Registration.id.in_(found.items)).order_by(*by_name)
    )
    found.items = list(rows)
    return found


def attendee_list(event: Event) -> list[Registration]:
    """Everyone who confirmed (unconfirmed sign-ups are not attendees), by name."""
    return list(
        db.session.scalars(
            with_group()
            .where(Registration.event_id == event.id, Registration.state != State.UNCONFIRMED)
            .order_by(Registration.name, Registration.id)
        )
    )


@dataclass
class Kitchen:
    """What the kitchen needs: how many have a seat, each dietary note with its count, and
    who wrote each note (names in Norwegian order, by note as shown).
    """

    seated: int
    notes: list[tuple[str, int]]
    names: dict[str, list[str]] = field(default_factory=dict)

    @property
    def with_needs(self) -> int:
        return sum(count for _note, count in self.notes)


def kitchen(event: Event) -> Kitchen:
    """Dietary notes of everyone with a seat, the same note (any case or spacing) counted once,
    spelt as the first to sign up wrote it (rows in a stated order: a heap's is no order)."""
    rows = db.session.execute(
        select(Registration.name, Registration.dietary)
        .where(Registration.event_id == event.id, Registration.state == State.ADMITTED)
        .order_by(Registration.id)
    ).all()
    counted: Counter = Counter()
    shown: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for name, note in rows:
        words = " ".join((note or "").split())
        if words:
            key = words.casefold()
            counted[key] += 1
            shown.setdefault(key, words)
            names.setdefault(key, []).append(name)
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return Kitchen(
        seated=len(rows),
        notes=[(shown[key], count) for key, count in ordered],
        names={shown[key]: sorted(names[key], key=norwegian_key) for key, _count in ordered},
    )


def timeline(event: Event) -> list[tuple[datetime, datetime | None]]:
    """(signed up, confirmed) for every registration: one query over two columns."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Registration.created_at, Registration.confirmed_at).where(
                Registration.event_id == event.id
            )
        )
    ]


def outbox_page(event: Event, number: int) -> Page[OutboxMessage]:
    """One page of the event's email, newest first."""
    return paging.of_query(
        select(OutboxMessage)
        .where(OutboxMessage.event_id == event.id)
        .order_by(OutboxMessage.id.desc()),
        number,
    )


def outbox_for(registration: Registration) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.id.desc())
        )
    )


def history_of(registration: Registration) -> list[AuditEntry]:
    """The audit entries about one registration, newest first: the person's history."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .options(selectinload(AuditEntry.organiser))
            .where(AuditEntry.registration_id == registration.id)
            .order_by(AuditEntry.id.desc())
        )
    )


def audit_page(number: int, event: Event | None = None) -> Page[AuditEntry]:
    """One page of the audit log (of one event, or of all), newest first."""
    query = select(AuditEntry).options(
        selectinload(AuditEntry.organiser), selectinload(AuditEntry.event)
    )
    if event is not None:
        query = query.where(AuditEntry.event_id == event.id)
    return paging.of_query(query.order_by(AuditEntry.id.desc()), number)


def checked_in_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.checked_in_at.is_not(None))
    )
