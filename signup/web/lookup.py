"""Find the event a URL names, or answer 404: one rule for the public and organiser pages."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from ..extensions import db
from ..models import Event


def event_or_404(slug: str, *options) -> Event:
    """The event at `slug`, loaded with the loader `options` given, or a 404 page."""
    query = select(Event).options(*options).where(Event.slug == slug)
    event = db.session.execute(query).unique().scalar_one_or_none()
    if event is None:
        abort(404)
    return event
