"""The check-in pass a person shows at the door: a signed token as a QR code, and a short code.

The token is signed with its own salt (tokens.CHECKIN) and carries the registration's opaque
public id and the event's id: it opens nothing but a check-in of that registration at that
event's door, by a signed-in door account. It says no name and no address.

The short code is for those who cannot show the image: 8 characters of an alphabet without
look-alikes (no 0/O, 1/I/L), derived from the registration's public id and stored on the
registration, where the database keeps it unique per event.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import segno

from . import tokens

#: Digits and capitals a person reads aloud or types without mixing them up.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
#: The image in an email: big enough for a phone at arm's length, small enough to attach.
PNG_SCALE = 6


def short_code(public_id: str) -> str:
    """The registration's short code: the same public id always gives the same code."""
    digest = hashlib.blake2b(public_id.encode(), digest_size=8, person=b"checkin-code").digest()
    number = int.from_bytes(digest, "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def normalise_code(typed: str) -> str | None:
    """The code as typed at the door (any case, spaces, dashes), or None if it cannot be one."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(letter not in CODE_ALPHABET for letter in code):
        return None
    return code


def spaced(code: str) -> str:
    """The code as people read it: two groups of four ("K7MP 3XQ9")."""
    return f"{code[:4]} {code[4:]}"


def token_for(public_id: str, event_id: int) -> str:
    """The signed check-in token of a registration of event `event_id`."""
    return tokens.sign(tokens.CHECKIN, public_id, event_id)


def _qr(token: str) -> segno.QRCode:
    # Medium error correction survives a cracked phone screen; never a Micro QR.
    return segno.make_qr(token, error="m")


def qr_png(token: str) -> bytes:
    """The token as a black-on-white PNG QR code (what email clients show)."""
    buffer = io.BytesIO()
    _qr(token).save(buffer, kind="png", scale=PNG_SCALE, border=4)
    return buffer.getvalue()


def qr_svg(token: str, title: str) -> str:
    """The token as inline SVG markup for a web page, with `title` as its text alternative."""
    return _qr(token).svg_inline(
        scale=6, border=4, title=title, light="#fff", svgclass="qr", lineclass=None
    )


@dataclass(frozen=True)
class CheckinPass:
    """What a pass shows: the token (in the QR code) and the short code."""

    token: str
    code: str

    @property
    def spaced_code(self) -> str:
        return spaced(self.code)


def pass_for(registration) -> CheckinPass | None:
    """The pass of an admitted registration that has a code; None for anyone else."""
    if getattr(registration.state, "value", registration.state) != "admitted":
        return None
    if not registration.checkin_code:
        return None
    return CheckinPass(
        token_for(registration.public_id, registration.event_id), registration.checkin_code
    )
