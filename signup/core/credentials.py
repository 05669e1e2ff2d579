"""An organiser's own credentials: invite and reset links, choosing and changing a password.

Invite and reset links carry the account id and its `link_number`. Sending a link, using
one and any change of password raise the number, so a link works once, and only until a
newer link or a new password. Each purpose has its own salt and lifetime (tokens.py).
"""

from __future__ import annotations

from .. import tokens
from ..extensions import db
from ..mail import outbox
from ..models import Organiser
from . import accounts, audit
from .addresses import normalise_email
from .lock import write_transaction

LIFETIMES = {tokens.INVITE: tokens.INVITE_VALID, tokens.RESET: tokens.RESET_VALID}
#: The audit action of a password chosen from each kind of link.
USED_ACTIONS = {tokens.INVITE: "invite_accepted", tokens.RESET: "password_reset"}


def send_account_email(kind: str, address: str, language: str, **context) -> None:
    """The one place an account email is written, in the caller's transaction."""
    outbox.enqueue_to_organiser(kind, address, language, **context)


def send_link(purpose: str, organiser: Organiser, language: str) -> None:
    """A new invite or reset link to the account; every older one stops working."""
    organiser.link_number = (organiser.link_number or 0) + 1
    db.session.flush()
    token = tokens.sign(purpose, str(organiser.id), organiser.link_number)
    kind = "organiser_invite" if purpose == tokens.INVITE else "password_reset"
    hours = int(LIFETIMES[purpose].total_seconds() // 3600)
    # The link itself is made when the email is built (mail/render.py), from the token.
    send_account_email(
        kind, organiser.email, language, token=token, hours=hours, role=organiser.role
    )


def account_for_link(purpose: str, token: str) -> Organiser:
    """The account a link of `purpose` is for; tokens.LinkError when it cannot be used.

    'expired': too old; 'used': used, replaced by a newer link, or the password changed
    since; 'invalid': anything else (tampered, another purpose, a disabled account).
    """
    payload = tokens.read(purpose, token, LIFETIMES[purpose])
    if not payload.registration.isdigit():
        raise tokens.LinkError("invalid")
    organiser = db.session.get(Organiser, int(payload.registration))
    if organiser is None or not organiser.is_active:
        raise tokens.LinkError("invalid")
    if payload.number != organiser.link_number:
        raise tokens.LinkError("used")
    return organiser


def choose_password(purpose: str, token: str, password: str) -> Organiser:
    """Set the password a link was sent for, in one transaction; the link is then spent.

    Raises tokens.LinkError for a link that cannot be used, AccountError for a weak password.
    """
    with write_transaction():
        organiser = account_for_link(purpose, token)
        accounts.set_password(organiser, password)
        audit.add(USED_ACTIONS[purpose], detail=f"konto {organiser.id}", by=organiser)
    return organiser


def request_reset(address: str, language: str) -> None:
    """Email a reset link to the account with `address`, or say there is none: one email
    either way, so neither the page nor the work tells whether the address has an account.
    """
    with write_transaction():
        organiser = accounts.find(address)
        if organiser is not None and organiser.is_active:
            send_link(tokens.RESET, organiser, language)
            # An account action: the entry names the account asked for, not who asked.
            audit.add("reset_requested", by=organiser)
        else:
            send_account_email("no_account", normalise_email(address), language)
            audit.add("reset_requested", detail="ukjent adresse", by=None)


def change_password(organiser: Organiser, current: str, new: str) -> bool:
    """Replace the password when `current` is right (False when not); sessions end."""
    if not accounts.password_matches(organiser, current):
        return False
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        accounts.set_password(organiser, new)
        audit.add("password_changed", detail=f"konto {organiser.id}", by=organiser)
    return True
