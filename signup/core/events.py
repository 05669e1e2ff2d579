"""Create an event from its file, or show and apply what the file would change in it.

Once an event exists the database is the source of truth: organisers change it in the
dashboard. Loading its file again changes nothing by itself; the operator sees the
differences and may apply them, through the admission rules and into the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import (
    SEAT_HOLDING,
    Event,
    EventStatus,
    MemberDomain,
    PriorityGroup,
    Registration,
    State,
)
from . import admission, audit
from .eventfile import EventDefinition, EventFileError
from .lock import write_transaction


@dataclass(frozen=True)
class Change:
    """One field (or `groups.<key>`) whose value in the file differs from the database's."""

    key: str
    before: object
    after: object


def by_slug(slug: str) -> Event | None:
    """The event with this slug, or None."""
    return db.session.scalar(select(Event).where(Event.slug == slug))


def create(
    definition: EventDefinition,
    by: audit.Actor,
    status: EventStatus = EventStatus.PUBLISHED,
) -> Event:
    """Create the event a file or the dashboard describes (its slug is new), audited.

    `by` is the command-line user loading a file (a name), or the organiser in the dashboard.
    """
    with write_transaction():
        event = Event(**definition.values, status=status)
        db.session.add(event)
        _sync_groups(event, definition.groups)
        db.session.flush()
        if isinstance(by, str):
            audit.add("event_load", event, detail="opprettet fra fil", by=by)
        else:
            audit.add("event_create", event, detail=f"status {status.value}", by=by)
    return db.session.get(Event, event.id)


def has_registrations(event: Event) -> bool:
    """Whether anyone has signed up (the event's address is then fixed)."""
    return bool(db.session.scalar(select(func.count()).where(Registration.event_id == event.id)))


def set_status(event_id: int, status: EventStatus, *, by: audit.Actor) -> None:
    """Publish or close an event in the seat lock, audited; publishing offers free seats."""

    def edit(event: Event) -> None:
        before = event.status
        # Closing keeps the close time: publishing again reopens sign-up, and those
        # waiting are told at the close time, as for any event.
        event.status = status
        audit.add("event_status", event, detail=f"{before.value} -> {status.value}", by=by)

    event = db.session.get(Event, event_id)
    admission.set_capacity(event_id, event.capacity, edit, by=by)


def cancel(event_id: int, *, by: audit.Actor) -> int:
    """Cancel the meeting: sign-up closes and everyone in it is told; returns how many.

    People with a seat get a calendar file that removes the entry; nobody's seat is offered on.
    """
    told: list[int] = []

    def edit(event: Event) -> None:
        event.status = EventStatus.CANCELLED
        event.registration_closes_at = min(event.registration_closes_at, now())
        for registration in _live_registrations(event):
            had_calendar = registration.state == State.ADMITTED
            if had_calendar:
                registration.calendar_sequence += 1
            registration.state = State.CANCELLED
            registration.left_at = now()
            if outbox.enqueue("event_cancelled", registration, withdraw_calendar=had_calendar):
                told.append(registration.id)  # a walk-in is not told: nothing is sent them
        audit.add("event_status", event, detail=f"avlyst; {len(told)} fikk beskjed", by=by)

    event = db.session.get(Event, event_id)
    admission.set_capacity(event_id, event.capacity, edit, by=by)
    return len(told)


def _live_registrations(event: Event) -> list[Registration]:
    live = (*SEAT_HOLDING, State.WAITLISTED)
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.state.in_(live))
            .order_by(Registration.id)
        )
    )


def duplicate(event_id: int, *, by: audit.Actor) -> Event:
    """A draft copy of the event for next time: groups, texts and settings, nobody signed up."""
    source = db.session.get(Event, event_id)
    with write_transaction():
        copy = Event(**{key: getattr(source, key) for key in COPIED}, status=EventStatus.DRAFT)
        copy.slug = _free_slug(f"{source.slug[:70]}-kopi")
        db.session.add(copy)
        for group in source.groups:
            domains = [MemberDomain(domain=d.domain) for d in group.domains]
            db.session.add(
                PriorityGroup(
                    event=copy, key=group.key, label=group.label, rank=group.rank, domains=domains
                )
            )
        db.session.flush()
        audit.add("event_duplicate", copy, detail=f"kopi av møte {source.id}", by=by)
    return db.session.get(Event, copy.id)


#: What a copy of an event takes over: everything an event file holds but the address.
COPIED = (
    "title", "venue", "description", "timezone", "starts_at", "ends_at", "capacity",
    "registration_closes_at", "offer_hours", "quiet_hours", "priority_until", "reserved_seats",
    "briefing_at", "retention_days", "briefing", "organiser_name", "contact_email",
)  # fmt: skip


def _free_slug(wanted: str) -> str:
    slug, number = wanted, 1
    while by_slug(slug) is not None:
        number += 1
        slug = f"{wanted}-{number}"
    return slug


def changes(event: Event, definition: EventDefinition) -> list[Change]:
    """What loading `definition` would change in `event`: fields first, then groups."""
    found = [
        Change(key, getattr(event, key), value)
        for key, value in definition.values.items()
        if getattr(event, key) != value
    ]
    return found + _group_changes(event, definition.groups)


def apply(event_id: int, definition: EventDefinition, by: audit.Actor) -> tuple[list[Change], int]:
    """Apply the differences as one seat decision, audited: (changes, offers made).

    `by` is the command-line user loading a file (a name), or the organiser in the dashboard.
    """
    values = dict(definition.values)
    capacity = values.pop("capacity")
    applied: list[Change] = []

    def edit(event: Event) -> None:
        applied.extend(changes(event, definition))
        sequence = event.calendar_sequence
        for key, value in values.items():
            setattr(event, key, value)
        _sync_groups(event, definition.groups)
        if event.calendar_sequence != sequence:
            for registration in _seat_holders(event):
                outbox.enqueue("event_changed", registration)
        if applied:
            detail = "; ".join(summary(change, event.zone) for change in applied)
            if isinstance(by, str):
                audit.add("event_load", event, detail=f"fra fil: {detail}", by=by)
            else:
                audit.add("event_edit", event, detail=detail, by=by)

    offers = admission.set_capacity(event_id, capacity, edit, by=by)
    return applied, offers


#: The fields a calendar entry shows; a change to one of them is sent to everyone with a seat.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue")


def calendar_notices(event: Event, definition: EventDefinition) -> int:
    """How many people with a seat would get an updated calendar entry from `definition`."""
    if all(getattr(event, key) == definition.values[key] for key in CALENDAR_FIELDS):
        return 0
    return len(_seat_holders(event))


def _seat_holders(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state.in_(SEAT_HOLDING),
                # A walk-in has no calendar entry from us: they get no email.
                Registration.walk_in.is_(False),
            )
            .order_by(Registration.id)
        )
    )


def show(value: object, zone: ZoneInfo) -> str:
    """A value as an operator reads it: times local to `zone`, "-" for none."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def is_text(change: Change) -> bool:
    """Whether the change is to a text of several lines (shown as a line diff)."""
    return any(isinstance(v, str) and "\n" in v for v in (change.before, change.after))


def summary(change: Change, zone: ZoneInfo) -> str:
    """One line for the audit log: `capacity 60 -> 80`, or `briefing endret` for a text."""
    if is_text(change):
        return f"{change.key} endret"
    return f"{change.key} {show(change.before, zone)} -> {show(change.after, zone)}"


def _group_text(group) -> str:
    return f"{group['label']} (rank {group['rank']})"


def _group_changes(event: Event, groups: list[dict]) -> list[Change]:
    current = {g.key: {"label": g.label, "rank": g.rank} for g in event.groups}
    found = []
    for spec in groups:
        before = current.pop(spec["key"], None)
        if before != {"label": spec["label"], "rank": spec["rank"]}:
            old = _group_text(before) if before else None
            found.append(Change(f"groups.{spec['key']}", old, _group_text(spec)))
    found += [Change(f"groups.{key}", _group_text(g), None) for key, g in current.items()]
    return found


def _sync_groups(event: Event, groups: list[dict]) -> None:
    current = {group.key: group for group in event.groups}
    for spec in groups:
        group = current.pop(spec["key"], None) or PriorityGroup(event=event, key=spec["key"])
        group.label, group.rank = spec["label"], spec["rank"]
        db.session.add(group)
    for key, group in current.items():
        in_use = db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.group_id == group.id)
        )
        if in_use:
            raise EventFileError(f"groups: group {key!r} has registrations and cannot be removed")
        db.session.delete(group)
