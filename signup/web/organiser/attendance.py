"""What the door and the tracing team read: the door list, and who arrived when."""

from __future__ import annotations

from ...extensions import db
from ...models import Event, Registration, State
from ..collation import norwegian_key
from .queries import with_group


def door_list(event: Event) -> list[Registration]:
    """Everyone with a seat, in Norwegian alphabetical order (æ, ø, å after z)."""
    seated = db.session.scalars(
        with_group().where(Registration.event_id == event.id, Registration.state == State.ADMITTED)
    )
    return sorted(seated, key=lambda person: (norwegian_key(person.name), person.id))


def arrivals(event: Event) -> list[Registration]:
    """Everyone who arrived (walk-ins too, and whoever left after arriving), in arrival order."""
    return list(
        db.session.scalars(
            with_group()
            .where(Registration.event_id == event.id, Registration.checked_in_at.is_not(None))
            .order_by(Registration.checked_in_at, Registration.id)
        )
    )
