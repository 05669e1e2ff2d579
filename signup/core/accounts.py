"""Organiser accounts: create, load, check passwords (werkzeug hashes), end sessions."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import now
from ..extensions import db
from ..models import Organiser
from .addresses import normalise_email

MIN_PASSWORD_LENGTH = 10
#: Checked against when the address is unknown, so a wrong address takes as long as a
#: wrong password and the timing tells nobody which addresses have accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """An account that cannot be made as asked; the message says why, in English (CLI)."""


def load_organiser(session_id: str) -> Organiser | None:
    """Flask-Login's user loader: the account, if the session's version is still its own.

    The session holds "<id>.<session version>" (Organiser.get_id); a logout, a new password
    or disabling raises the version, and every older session, copied or not, ends.
    """
    account_id, _, version = session_id.partition(".")
    if not (account_id.isdigit() and version.isdigit()):
        return None
    organiser = db.session.get(Organiser, int(account_id))
    if organiser is None or not organiser.is_active:
        return None
    return organiser if organiser.session_version == int(version) else None


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


def create_organiser(email: str, password: str) -> Organiser:
    """Store a new account with a hashed password."""
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(f"not a valid email address: {email!r}") from error
    password_hash = _checked_password(password)
    email = normalise_email(address)
    if find(email) is not None:
        raise AccountError(f"an organiser with the address {email} already exists")
    organiser = Organiser(email=email, password_hash=password_hash)
    db.session.add(organiser)
    db.session.commit()
    return organiser


def find(email: str) -> Organiser | None:
    return db.session.scalar(select(Organiser).where(Organiser.email == normalise_email(email)))


def existing(email: str) -> Organiser:
    """The account with this address, or an AccountError saying there is none."""
    organiser = find(email)
    if organiser is None:
        raise AccountError(f"no organiser with the address {normalise_email(email)}")
    return organiser


def authenticate(email: str, password: str) -> Organiser | None:
    """The active organiser with this address and password, or None."""
    organiser = find(email)
    if organiser is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(organiser.password_hash, password):
        return None
    return organiser if organiser.is_active else None


def end_sessions(organiser: Organiser) -> None:
    """Raise the session version in the current transaction: every session ends."""
    db.session.execute(
        update(Organiser)
        .where(Organiser.id == organiser.id)
        .values(session_version=Organiser.session_version + 1)
    )


def set_password(organiser: Organiser, password: str) -> None:
    """Give the account a new password and end all its sessions (in the caller's transaction)."""
    organiser.password_hash = _checked_password(password)
    end_sessions(organiser)


def set_disabled(organiser: Organiser, disabled: bool) -> None:
    """Lock the account out, ending its sessions at once, or let it log in again."""
    organiser.disabled_at = now() if disabled else None
    end_sessions(organiser)


def all_organisers() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(Organiser.email)))
