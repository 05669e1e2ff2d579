"""Sign-up and new-link requests: the steps before anyone holds or waits for a seat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import links, members, outbox, pending
from .clock import now
from .database import write_transaction
from .extensions import db
from .models import Event, PriorityGroup, Registration, State
from .tokens import CONFIRM_VALID


def normalise_email(address: str) -> str:
    """The key one registration per address is kept under: trimmed and lower-cased."""
    return address.strip().lower()


def confirm_deadline(event: Event) -> datetime:
    """A confirmation link lasts 48 hours, and never past registration close."""
    return min(now() + CONFIRM_VALID, event.registration_closes_at)


def find(event: Event, email: str, for_update: bool = False) -> Registration | None:
    """The event's registration under `email`; `for_update` locks and re-reads the row."""
    query = select(Registration).where(
        Registration.event_id == event.id,
        Registration.email_normalised == normalise_email(email),
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def send_link(registration: Registration) -> None:
    """A fresh confirmation link while unconfirmed; otherwise the status and manage link."""
    if registration.state == State.UNCONFIRMED:
        registration.confirm_expires_at = confirm_deadline(registration.event)
        outbox.enqueue("confirm", registration)
    else:
        outbox.enqueue("status", registration)


def sign_up(event: Event, group: PriorityGroup, details: dict, language: str = "nb") -> None:
    """Record a sign-up, or tell the address it is already registered, and email the link.

    The caller shows the same page whatever happened here, so nobody learns whether an
    address was already registered.
    """
    if find(event, details["email"]) is None:
        registration = Registration(
            event=event,
            group=group,
            email_normalised=normalise_email(details["email"]),
            confirm_expires_at=confirm_deadline(event),
            language=language,
            state=State.UNCONFIRMED,
            **details,
        )
        db.session.add(registration)
        try:
            db.session.flush()
        except IntegrityError:
            # Someone with the same address signed up in the same instant.
            db.session.rollback()
        else:
            members.check_registration(registration)
            outbox.enqueue("confirm", registration)
            db.session.commit()
            return
    # Two later sign-ups at once must not both take the same link version.
    with write_transaction():
        existing = find(event, details["email"], for_update=True)
        if existing is not None:  # None only if erased in between: nothing left to tell
            _already_registered(existing, pending.typed_details(details, group, language))


def _already_registered(registration: Registration, typed: dict) -> None:
    """Tell the address it is registered; details typed now count only through their own link."""
    context = {}
    if registration.state == State.UNCONFIRMED:
        registration.confirm_expires_at = confirm_deadline(registration.event)
        version = pending.hold(registration, typed)
        context["confirm_url"] = links.confirm_url(registration, version)
    outbox.enqueue("already_registered", registration, **context)


def request_link(event: Event, email: str, language: str = "nb") -> None:
    """Email a fresh link to a known address, or a "no registration here" email to another.

    Both ways do the same work (one email rendered and queued), so the time the request
    takes does not tell whether the address is registered.
    """
    registration = find(event, email)
    if registration is not None:
        send_link(registration)
    else:
        outbox.enqueue_to_address("no_registration", event, email.strip(), language)
    db.session.commit()
