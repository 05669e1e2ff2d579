"""Bringing colleagues at sign-up: up to three more people in the same submission.

Each colleague gets their own registration, confirmation email and link, and is admitted
or waitlisted on their own confirmation (core/signups.py sign_up, one rule for all). They
share the person's organisation and group; phone and dietary needs are each person's own,
changed later from their own manage page. Every address counts against the limits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...core.addresses import normalise_email

#: Colleagues one submission may sign up besides the person filling in the form.
COLLEAGUES = 3

BOTH = _l("Skriv både navn og e-post for kollegaen, eller la begge stå tomme.")
DUPLICATE = _l(
    "Denne adressen står allerede i skjemaet. Hver person trenger sin egen e-postadresse."
)


def name_field(number: int) -> str:
    return f"colleague{number}_name"


def email_field(number: int) -> str:
    return f"colleague{number}_email"


def _row(form, number: int):
    return getattr(form, name_field(number)), getattr(form, email_field(number))


def check_rows(form) -> bool:
    """Each row both filled or both empty, and no address twice in the form."""
    valid = True
    seen = {normalise_email(form.email.data or "")}
    for number in range(1, COLLEAGUES + 1):
        name, email = _row(form, number)
        if name.errors or email.errors:
            valid = False
            continue
        if bool(name.data) != bool(email.data):
            (email if name.data else name).errors.append(BOTH)
            valid = False
        elif email.data:
            address = normalise_email(email.data)
            if address in seen:
                email.errors.append(DUPLICATE)
                valid = False
            seen.add(address)
    return valid


def filled_rows(form) -> list[tuple[str, str]]:
    """(name, address) of each colleague row filled in, in order."""
    rows = [_row(form, number) for number in range(1, COLLEAGUES + 1)]
    return [(name.data, email.data) for name, email in rows if name.data and email.data]


def addresses_posted(form_data) -> int:
    """How many addresses a posted form holds: the rate limits' cost of one request."""
    fields = ["email", *(email_field(number) for number in range(1, COLLEAGUES + 1))]
    return max(1, sum(1 for field in fields if (form_data.get(field) or "").strip()))
