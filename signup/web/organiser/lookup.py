"""Find what a URL names, or answer 404."""

from __future__ import annotations

from flask import abort

from ...extensions import db
from ...models import Event, Registration
from ..lookup import event_or_404

__all__ = ["event_or_404", "registration_or_404"]


def registration_or_404(event: Event, registration_id: int) -> Registration:
    """The event's registration with `registration_id`, or a 404 page."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration
