"""Organiser accounts: create, load and check passwords (werkzeug hashes)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Organiser

MIN_PASSWORD_LENGTH = 10
#: Checked against when the address is unknown, so a wrong address takes as long as a
#: wrong password and the timing tells nobody which addresses have accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """An account that cannot be made as asked; the message says why, in English (CLI)."""


def normalise(email: str) -> str:
    return email.strip().lower()


def load_organiser(organiser_id: str) -> Organiser | None:
    """Flask-Login's user loader."""
    if not organiser_id.isdigit():
        return None
    return db.session.get(Organiser, int(organiser_id))


def create_organiser(email: str, password: str) -> Organiser:
    """Store a new account with a hashed password."""
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(f"not a valid email address: {email!r}") from error
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if find(address) is not None:
        raise AccountError(f"an organiser with the address {normalise(address)} already exists")
    organiser = Organiser(email=normalise(address), password_hash=generate_password_hash(password))
    db.session.add(organiser)
    db.session.commit()
    return organiser


def find(email: str) -> Organiser | None:
    return db.session.scalar(select(Organiser).where(Organiser.email == normalise(email)))


def authenticate(email: str, password: str) -> Organiser | None:
    """The organiser with this address and password, or None."""
    organiser = find(email)
    if organiser is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return organiser if check_password_hash(organiser.password_hash, password) else None


def all_organisers() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(Organiser.email)))
