"""Two-step sign-in: a time-based one-time code (pyotp) after the password, or a recovery code.

An organiser turns it on for themselves. A code is accepted once (the last accepted time
step is kept), one step early or late for a phone's clock. Recovery codes are random,
shown once, stored as SHA-256 hashes and struck out when used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import pyotp

from ..clock import now
from ..extensions import db
from ..models import Organiser
from . import accounts, audit
from .lock import write_transaction

ISSUER = "Påmelding"
RECOVERY_CODES = 10
#: A phone's clock may be a step (30 s) off either way.
STEPS_EITHER_WAY = 1
_SECRET_LENGTH = 32


def new_secret() -> str:
    """A fresh base32 secret for an authenticator app."""
    return pyotp.random_base32(_SECRET_LENGTH)


def is_secret(value: str) -> bool:
    """Whether `value` looks like a secret `new_secret` made (it travels through a form)."""
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    return len(value) == _SECRET_LENGTH and set(value) <= alphabet


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads (as text or as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _hash(code: str) -> str:
    plain = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(plain.encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _matching_step(secret: str, code: str, after: int) -> int | None:
    """The time step `code` belongs to, near now and later than `after`; None if none."""
    totp = pyotp.TOTP(secret)
    code = "".join(code.split())
    for offset in range(-STEPS_EITHER_WAY, STEPS_EITHER_WAY + 1):
        moment = now() + timedelta(seconds=offset * totp.interval)
        step = totp.timecode(moment)
        if step > after and hmac.compare_digest(totp.at(moment), code):
            return step
    return None


def turn_on(organiser: Organiser, secret: str, code: str) -> list[str] | None:
    """Turn two-step sign-in on when `code` fits `secret`; the recovery codes, or None."""
    step = _matching_step(secret, code, 0)
    if step is None:
        return None
    codes = _new_recovery_codes()
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        organiser.totp_secret = secret
        organiser.totp_last_step = step
        organiser.recovery_codes = [_hash(code) for code in codes]
        audit.add("twostep_on", detail=f"konto {organiser.id}", by=organiser)
    return codes


def turn_off(organiser: Organiser, password: str) -> bool:
    """Turn two-step sign-in off, with the account's password (False when it is wrong)."""
    if not accounts.password_matches(organiser, password):
        return False
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        organiser.totp_secret = None
        organiser.totp_last_step = 0
        organiser.recovery_codes = []
        audit.add("twostep_off", detail=f"konto {organiser.id}", by=organiser)
    return True


def check_code(organiser: Organiser, code: str) -> bool:
    """Accept a one-time code or an unused recovery code for the second step, once."""
    with write_transaction():
        organiser = db.session.get(Organiser, organiser.id)
        if not organiser.totp_secret or len(code) > 40:
            return False
        step = _matching_step(organiser.totp_secret, code, organiser.totp_last_step)
        if step is not None:
            organiser.totp_last_step = step
            return True
        hashed = _hash(code)
        if hashed not in organiser.recovery_codes:
            return False
        organiser.recovery_codes = [kept for kept in organiser.recovery_codes if kept != hashed]
        audit.add("recovery_code_used", detail=f"konto {organiser.id}", by=organiser)
        return True
