"""Sign-up and new-link requests: the steps before anyone holds or waits for a seat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import Event, PriorityGroup, Registration, State
from ..tokens import CONFIRM_VALID
from . import members
from .addresses import normalise_email
from .errors import Refusal, Refused
from .lock import write_transaction


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
            _already_registered(existing, typed_details(details, group, language))


def _already_registered(registration: Registration, typed: dict) -> None:
    """Tell the address it is registered; details typed now count only through their own link."""
    context = {}
    if registration.state == State.UNCONFIRMED:
        registration.confirm_expires_at = confirm_deadline(registration.event)
        version = hold(registration, typed)
        context["link_version"] = version
    outbox.enqueue("already_registered", registration, **context)


def request_link(event: Event, email: str, language: str = "nb") -> None:
    """Email a fresh link to a known address, or a "no registration here" email to another.

    Both ways do the same work (one email written to the outbox), so the time the request
    takes does not tell whether the address is registered.
    """
    registration = find(event, email)
    if registration is not None:
        send_link(registration)
    else:
        outbox.enqueue_to_address("no_registration", event, email.strip(), language)
    db.session.commit()


# Pending details.
#
# Details typed in a later sign-up under a pending registration's address.
#
# Nobody but the address's owner may change a registration, so a later sign-up never
# overwrites the details of an unconfirmed one. Its details wait here under the next link
# version; the confirm link sent for them carries that version, and only that link makes
# them the registration's own. An older link confirms only what it was sent for.

#: The fields a sign-up form sets on a registration (besides the address and the group).
DETAIL_FIELDS = ("name", "organisation", "phone", "dietary")
#: Later sign-ups kept per registration; a link to an older one says it was replaced.
KEPT_VERSIONS = 3


def typed_details(details: dict, group: PriorityGroup, language: str) -> dict:
    """The details of one sign-up as they are kept while pending."""
    return {
        **{field: details.get(field) or "" for field in DETAIL_FIELDS},
        "group": group.key,
        "language": language,
    }


def current_details(registration: Registration) -> dict:
    """The registration's own details, in the form pending ones are kept in."""
    return {
        **{field: getattr(registration, field) for field in DETAIL_FIELDS},
        "group": registration.group.key,
        "language": registration.language,
    }


def hold(registration: Registration, typed: dict) -> int:
    """Keep `typed` under a new version and return it; 0 when it changes nothing."""
    if typed == current_details(registration):
        return 0
    registration.link_version += 1
    kept = {**(registration.pending_details or {}), str(registration.link_version): typed}
    newest = sorted(kept, key=int)[-KEPT_VERSIONS:]
    registration.pending_details = {version: kept[version] for version in newest}
    return registration.link_version


def details_for(registration: Registration, version: int) -> dict:
    """The details a confirm link of `version` confirms; Refused(SUPERSEDED) when gone."""
    if version == 0:
        return current_details(registration)
    typed = (registration.pending_details or {}).get(str(version))
    if typed is None or group_for(registration, typed["group"]) is None:
        raise Refused(Refusal.SUPERSEDED)
    return typed


def take(registration: Registration, version: int) -> None:
    """Make the details of `version` the registration's own and drop the pending ones."""
    if version:
        typed = details_for(registration, version)
        for field in DETAIL_FIELDS:
            setattr(registration, field, typed[field])
        registration.group = group_for(registration, typed["group"])
        registration.language = typed["language"]
        members.check_registration(registration)
    registration.pending_details = None


def group_for(registration: Registration, key: str) -> PriorityGroup | None:
    """The event's group with `key`, or None when the organiser has removed it."""
    return next((group for group in registration.event.groups if group.key == key), None)
