"""Signed links: one salt per purpose, the payload an opaque id, time from our clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from .clock import now

CONFIRM = "confirm"
MANAGE = "manage"
OFFER = "offer"
#: An organiser account's links: the invitation to choose a password, and a password reset.
INVITE = "invite"
RESET = "reset"
#: A colleague's link to take the seat a registrant hands them (carries the handover's id).
HANDOVER = "handover"
#: The pass a person shows at the door (a QR code): for one registration of one event.
CHECKIN = "checkin"
#: A person's new email address, confirmed from that address before it replaces the old.
CHANGE_EMAIL = "change-email"
PURPOSES = (CONFIRM, MANAGE, OFFER, INVITE, RESET, HANDOVER, CHECKIN, CHANGE_EMAIL)
CONFIRM_VALID = timedelta(hours=48)
INVITE_VALID = timedelta(hours=72)
RESET_VALID = timedelta(hours=1)


class ClockSigner(TimestampSigner):
    """Timestamps from clock.now(), so tests that move the clock expire links."""

    def get_timestamp(self) -> int:
        return int(now().timestamp())


class LinkError(Exception):
    """A link that cannot be used: `reason` is 'expired' or 'invalid'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkPayload:
    registration: str
    number: int = 0


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    config = current_app.config
    # itsdangerous signs with the last key and accepts all of them: the fallbacks
    # (old keys being rotated out) go first.
    keys = [*config.get("SECRET_KEY_FALLBACKS", []), config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=f"signup-{purpose}", signer=ClockSigner)


def sign(purpose: str, registration_public_id: str, number: int = 0) -> str:
    """A URL-safe token for `purpose`; `number` tells one offer from the next."""
    return _serializer(purpose).dumps([registration_public_id, number])


def read(purpose: str, token: str, max_age: timedelta | None = None) -> LinkPayload:
    """Verify a token of `purpose`; raises LinkError('expired' | 'invalid')."""
    try:
        data = _serializer(purpose).loads(
            token, max_age=int(max_age.total_seconds()) if max_age else None
        )
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise LinkError("invalid") from exc
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], str)
        or not isinstance(data[1], int)
    ):
        raise LinkError("invalid")
    return LinkPayload(data[0], data[1])
