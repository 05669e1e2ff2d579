"""Find what a URL names (or answer 404), and who is signed in."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ...extensions import db
from ...models import Event, Organiser, Registration
from ..lookup import event_or_404

__all__ = ["event_or_404", "registration_or_404"]


def registration_or_404(event: Event, registration_id: int) -> Registration:
    """The event's registration with `registration_id`, or a 404 page."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def signed_in() -> Organiser:
    """The organiser of this request, as the actor the core writes in the audit log."""
    return current_user._get_current_object()
