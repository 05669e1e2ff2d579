"""The password rule: long enough, and not one of the passwords people use most.

The list of common passwords (and names, words, keyboard runs) is the one zxcvbn ships
and maintains; a password it scores below MIN_SCORE is one of them or built from them.
"""

from __future__ import annotations

from functools import cache

from flask import current_app
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
#: zxcvbn's scale: 0-2 fall to an online or slow offline guesser, 3 is "safely unguessable".
MIN_SCORE = 3
#: zxcvbn refuses longer input; what is beyond it only adds strength.
_SCORED_LENGTH = 72
SHORT = "short"
COMMON = "common"


def problem(password: str, email: str = "") -> str | None:
    """Why `password` is refused (SHORT or COMMON), or None when it may be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return SHORT
    own_words = [part for part in email.replace("@", ".").split(".") if part]
    if zxcvbn(password[:_SCORED_LENGTH], user_inputs=own_words)["score"] < MIN_SCORE:
        return COMMON
    return None


def hashed(password: str) -> str:
    """The hash of a password that passed `problem`, by the configured PASSWORD_HASH."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH"])


def dummy_hash() -> str:
    """A hash of no one's password, made the same way as real ones.

    Checked against when the address is unknown, so a wrong address takes as long as a
    wrong password and the timing tells nobody which addresses have accounts.
    """
    return _dummy_hash(current_app.config["PASSWORD_HASH"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)
