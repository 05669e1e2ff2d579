"""People changing their own details from the manage page, until sign-up closes.

Name, organisation, phone and dietary needs change at once. A new email address is a new
confirmation: it waits in `pending_email` while a link goes to it (and a short notice to
the old address); every email keeps going to the old address until that link is used.
The seat, the group and the place in the queue stay with the person throughout.

The organiser sees each change in the person's history as an audit entry by nobody
(the person themself), naming the fields changed, never their values.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..mail import outbox
from ..models import Registration, State
from . import audit, members
from .addresses import normalise_email
from .errors import Refusal, Refused
from .lock import write_transaction
from .signups import DETAIL_FIELDS, find

#: Each field in the organiser's words, for the history ("endret: navn, telefon").
FIELD_WORDS = {
    "name": "navn",
    "organisation": "virksomhet",
    "phone": "telefon",
    "dietary": "matbehov",
    "email": "e-post",
}


def editable(registration: Registration) -> bool:
    """Whether the person may change their details now: confirmed, and sign-up still open."""
    return registration.state != State.UNCONFIRMED and registration.event.registration_open()


def refusal(registration: Registration) -> Refusal:
    """Why the person's details cannot be changed now (when `editable` is False)."""
    if registration.state == State.UNCONFIRMED:
        return Refusal.NOT_CONFIRMED
    return Refusal.CLOSED


def _check_editable(registration: Registration) -> None:
    if not editable(registration):
        raise Refused(refusal(registration))


def email_link_current(registration: Registration, version: int) -> bool:
    """Whether a change-email link of `version` is the newest, unused one."""
    return version == registration.email_version and registration.pending_email is not None


def change(registration: Registration, typed: dict, email: str) -> list[str]:
    """Change the person's details to `typed`, and ask to confirm `email` if it is new.

    One transaction. Returns the fields changed or asked for (keys of FIELD_WORDS), empty
    when nothing changed; raises Refused(NOT_CONFIRMED or CLOSED) and changes nothing.
    """
    with write_transaction():
        registration = reread(registration)
        _check_editable(registration)
        changed = [
            field
            for field in DETAIL_FIELDS
            if (typed.get(field) or "") != (getattr(registration, field) or "")
        ]
        for field in changed:
            setattr(registration, field, typed.get(field) or "")
        if _ask_for_new_address(registration, email):
            changed.append("email")
        if changed:
            audit.add("details_changed", registration.event, registration, _words(changed), by=None)
    return changed


def _ask_for_new_address(registration: Registration, email: str) -> bool:
    """Hold `email` until confirmed, mailing both addresses; False when it is the current one."""
    address = email.strip()
    if normalise_email(address) == registration.email_normalised:
        if registration.pending_email is None:
            return False
        # Back to the address the person has: the pending change is withdrawn.
        registration.pending_email = None
        registration.email_version += 1
        return True
    if normalise_email(registration.pending_email or "") == normalise_email(address):
        return False  # asked already: the link sent for it still works
    registration.pending_email = address
    registration.email_version += 1
    outbox.enqueue_to(
        "email_change_confirm", registration, address, email_version=registration.email_version
    )
    outbox.enqueue("email_change_requested", registration)
    return True


def confirm_email(registration: Registration, version: int) -> Registration:
    """Make the pending address the person's own: the change-email link's POST.

    Refused (nothing changed) when the link is not the newest, sign-up has closed, or the
    address is registered for the event by then. The new address is told it took effect.
    """
    with write_transaction():
        registration = reread(registration)
        if not email_link_current(registration, version):
            raise Refused(Refusal.STALE_LINK)
        _check_editable(registration)
        address = registration.pending_email
        other = find(registration.event, address)
        if other is not None and other.id != registration.id:
            raise Refused(Refusal.ADDRESS_TAKEN)
        registration.email = address
        registration.email_normalised = normalise_email(address)
        registration.pending_email = None
        registration.email_version += 1
        try:
            db.session.flush()  # before any query below could flush it unguarded
        except IntegrityError as error:  # the address was taken in the same instant
            raise Refused(Refusal.ADDRESS_TAKEN) from error
        members.check_registration(registration)
        outbox.enqueue("email_changed", registration)
        audit.add("email_changed", registration.event, registration, _words(["email"]), by=None)
    return registration


def reread(registration: Registration) -> Registration:
    """The registration as the database holds it now; Refused(UNKNOWN) when erased or gone."""
    found = db.session.get(Registration, registration.id, populate_existing=True)
    if found is None or found.email_normalised is None:
        raise Refused(Refusal.UNKNOWN)
    return found


def _words(fields: list[str]) -> str:
    return ", ".join(FIELD_WORDS[field] for field in fields)
