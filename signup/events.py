"""Create or update an event from its definition; capacity goes through the admission rules."""

from __future__ import annotations

from sqlalchemy import func, select

from . import admission
from .eventfile import EventDefinition, EventFileError
from .extensions import db
from .models import Event, PriorityGroup, Registration


def by_slug(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug))


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


def save(definition: EventDefinition) -> tuple[Event, bool, int]:
    """Returns (event, created, offers made by a capacity change)."""
    values = dict(definition.values)
    capacity = values.pop("capacity")
    event = by_slug(values["slug"])
    created = event is None
    if created:
        event = Event(capacity=capacity, **values)
        db.session.add(event)
    else:
        for key, value in values.items():
            setattr(event, key, value)
    try:
        _sync_groups(event, definition.groups)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    offers = admission.set_capacity(event.id, capacity)
    return db.session.get(Event, event.id), created, offers
