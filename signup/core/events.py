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

from ..extensions import db
from ..models import Event, PriorityGroup, Registration
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


def create(definition: EventDefinition, operator: str) -> Event:
    """Create the event a file describes (its slug is new), with an audit entry."""
    with write_transaction():
        event = Event(**definition.values)
        db.session.add(event)
        _sync_groups(event, definition.groups)
        db.session.flush()
        audit.add("event_load", event, detail="opprettet fra fil", by=operator)
    return db.session.get(Event, event.id)


def changes(event: Event, definition: EventDefinition) -> list[Change]:
    """What loading `definition` would change in `event`: fields first, then groups."""
    found = [
        Change(key, getattr(event, key), value)
        for key, value in definition.values.items()
        if getattr(event, key) != value
    ]
    return found + _group_changes(event, definition.groups)


def apply(event_id: int, definition: EventDefinition, operator: str) -> tuple[list[Change], int]:
    """Apply the file's differences as one seat decision, audited: (changes, offers made)."""
    values = dict(definition.values)
    capacity = values.pop("capacity")
    applied: list[Change] = []

    def edit(event: Event) -> None:
        applied.extend(changes(event, definition))
        for key, value in values.items():
            setattr(event, key, value)
        _sync_groups(event, definition.groups)
        if applied:
            detail = "fra fil: " + "; ".join(summary(change, event.zone) for change in applied)
            audit.add("event_load", event, detail=detail, by=operator)

    offers = admission.set_capacity(event_id, capacity, edit, by=operator)
    return applied, offers


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
