"""Organiser accounts: create, load, check passwords (werkzeug hashes), end sessions."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from ..clock import now
from ..extensions import db
from ..models import Organiser
from . import audit, passwords
from .addresses import normalise_email
from .lock import write_transaction

#: Why a password was refused, for the command line (the dashboard says it in Norwegian).
PASSWORD_PROBLEMS = {
    passwords.SHORT: f"the password must be at least {passwords.MIN_PASSWORD_LENGTH} characters",
    passwords.COMMON: "the password is too common or too easy to guess; choose a longer one",
}


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


def _checked_password(password: str, email: str) -> str:
    reason = passwords.problem(password, email)
    if reason is not None:
        raise AccountError(PASSWORD_PROBLEMS[reason])
    return passwords.hashed(password)


def valid_address(email: str) -> str:
    """The address, normalised, or an AccountError when it is not an email address."""
    try:
        address = validate_email(
            email.strip(), check_deliverability=False, allow_smtputf8=False
        ).normalized
    except EmailNotValidError as error:
        raise AccountError(f"not a valid email address: {email!r}") from error
    return normalise_email(address)


def create_organiser(email: str, password: str) -> Organiser:
    """Store a new account (an organiser of all events) with a hashed password."""
    address = valid_address(email)
    password_hash = _checked_password(password, address)
    if find(address) is not None:
        raise AccountError(
            f"an organiser with the address {normalise_email(address)} already exists"
        )
    organiser = Organiser(email=address, password_hash=password_hash)
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
        check_password_hash(passwords.dummy_hash(), password)
        return None
    if not organiser.has_password:  # invited, and has not chosen one yet
        check_password_hash(passwords.dummy_hash(), password)
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


def password_matches(organiser: Organiser, password: str) -> bool:
    """Whether `password` is the account's current one."""
    return organiser.has_password and check_password_hash(organiser.password_hash, password)


def set_password(organiser: Organiser, password: str) -> None:
    """Give the account a new password, in the caller's transaction.

    All its sessions end, and every invite or reset link sent before stops working.
    """
    organiser.password_hash = _checked_password(password, organiser.email)
    organiser.link_number = (organiser.link_number or 0) + 1
    end_sessions(organiser)


def set_disabled(organiser: Organiser, disabled: bool) -> None:
    """Lock the account out, ending its sessions at once, or let it log in again."""
    organiser.disabled_at = now() if disabled else None
    end_sessions(organiser)


def all_organisers() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(Organiser.email)))


def log_out(organiser: Organiser) -> None:
    """End every session of the account (this cookie and any copy), audited."""
    with write_transaction():
        audit.add("logout", by=organiser)
        end_sessions(organiser)
