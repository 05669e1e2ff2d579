"""Fill an event with registrations quickly, for the in-process benchmarks (not the rush)."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import insert, select

from signup.clock import now
from signup.extensions import db
from signup.models import Event, PriorityGroup, Registration, State

from .common import SLUG, Site


def product_app(site: Site, background: bool = True):
    """The product's app, configured from the site's production-like environment.

    `background=False` keeps the first request from starting the delivery thread (and
    the scheduler), for profiles of the request alone.
    """
    os.environ.update(site.env)
    from app import create_app

    app = create_app()
    if not background:
        app.extensions["signup_background"] = True  # what app.register_background checks
    # The in-process client speaks plain http; production cookies are Secure.
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    return app


def the_event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == SLUG))


def add_registrations(
    event: Event, count: int, state: State, group: str = "andre", prefix: str = "p"
) -> list[str]:
    """Insert `count` registrations in `state`; returns their email addresses in queue order."""
    group_id = db.session.scalar(
        select(PriorityGroup.id).where(
            PriorityGroup.event_id == event.id, PriorityGroup.key == group
        )
    )
    moment = now()
    rows, emails = [], []
    for i in range(count):
        email = f"{prefix}{i:06d}-{state.value}@scale.no"
        emails.append(email)
        confirmed = state != State.UNCONFIRMED
        rows.append(
            {
                "event_id": event.id,
                "group_id": group_id,
                "state": state,
                "name": f"Person {prefix}{i}",
                "email": email,
                "email_normalised": email,
                "organisation": "Skala AS",
                "confirm_expires_at": moment + timedelta(hours=47),
                "confirmed_at": moment if confirmed else None,
                "queued_at": moment + timedelta(microseconds=i) if confirmed else None,
                "admitted_at": moment if state == State.ADMITTED else None,
            }
        )
    for start in range(0, count, 2000):
        db.session.execute(insert(Registration), rows[start : start + 2000])
    db.session.commit()
    return emails


def public_ids(emails: list[str]) -> list[str]:
    found = dict(
        db.session.execute(
            select(Registration.email, Registration.public_id).where(Registration.email.in_(emails))
        ).all()
    )
    return [found[e] for e in emails]
