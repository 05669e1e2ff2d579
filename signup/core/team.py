"""The accounts an administrator manages in the dashboard: invite, role and events, disable.

The administrator is an organiser of all events (Organiser.is_admin): accounts made by
`flask organiser create`, and those an administrator invites with that access. An
administrator never changes their own access or disables themselves, so there is always
one left who can.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import tokens
from ..extensions import db
from ..models import Event, Organiser
from . import accounts, audit, credentials
from .lock import write_transaction

ORGANISER = "organiser"
DOOR = "door"
ROLES = (ORGANISER, DOOR)
#: Invitations are written in the product's language; the person may switch after login.
INVITE_LANGUAGE = "nb"


def _describe(organiser: Organiser) -> str:
    scope = "alle møter" if organiser.all_events else f"møter {[e.id for e in organiser.events]}"
    return f"konto {organiser.id}: {organiser.role}, {scope}"


def _events(event_ids: list[int]) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.id.in_(event_ids))))


def invite(by: Organiser, email: str, role: str, all_events: bool, event_ids: list[int]):
    """Make an account without a password and email it a link to choose one.

    Raises AccountError for an invalid or taken address or an unknown role.
    """
    if role not in ROLES:
        raise accounts.AccountError(f"unknown role {role!r}")
    address = accounts.valid_address(email)
    with write_transaction():
        if accounts.find(address) is not None:
            raise accounts.AccountError(f"an organiser with the address {address} already exists")
        organiser = Organiser(email=address, password_hash="", role=role, all_events=all_events)
        organiser.events = [] if all_events else _events(event_ids)
        db.session.add(organiser)
        db.session.flush()
        credentials.send_link(tokens.INVITE, organiser, INVITE_LANGUAGE)
        audit.add("invite", detail=_describe(organiser), by=by)
    return organiser


def invite_again(by: Organiser, organiser: Organiser) -> None:
    """A fresh invitation to an account that has not chosen a password; the old link ends."""
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        if organiser.has_password:
            raise accounts.AccountError("the account already has a password")
        credentials.send_link(tokens.INVITE, organiser, INVITE_LANGUAGE)
        audit.add("invite_again", detail=f"konto {organiser.id}", by=by)


def set_access(by: Organiser, organiser: Organiser, role: str, all_events: bool, event_ids):
    """Give an account its role and events; its open sessions go on with the new access."""
    if role not in ROLES or organiser.id == by.id:
        raise accounts.AccountError("not allowed")
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        organiser.role = role
        organiser.all_events = all_events
        organiser.events = [] if all_events else _events(event_ids)
        audit.add("access", detail=_describe(organiser), by=by)


def set_disabled(by: Organiser, organiser: Organiser, disabled: bool) -> None:
    """Disable an account (its sessions end at once) or open it again."""
    if organiser.id == by.id:
        raise accounts.AccountError("not allowed")
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        accounts.set_disabled(organiser, disabled)
        action = "disable_account" if disabled else "enable_account"
        audit.add(action, detail=f"konto {organiser.id}", by=by)


def may_run(organiser: Organiser, event: Event) -> bool:
    """Whether the account has `event` (all events, or one given to it)."""
    return organiser.all_events or any(given.id == event.id for given in organiser.events)
