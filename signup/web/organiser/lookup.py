"""Find what a URL names (or answer 404), and who is signed in."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...models import Event, Organiser, Registration


def event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def signed_in() -> Organiser:
    """The organiser of this request, as the actor the core writes in the audit log."""
    return current_user._get_current_object()
