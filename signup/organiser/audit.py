"""The audit log: every organiser action, with who and when."""

from __future__ import annotations

from flask_login import current_user

from ..clock import now
from ..database import write_transaction
from ..extensions import db
from ..models import AuditEntry, Event, Registration

#: Each action in words, for the audit page.
ACTION_LABELS = {
    "login": "logget inn",
    "logout": "logget ut",
    "capacity": "endret antall plasser",
    "cancel": "meldte av en påmelding",
    "grant_seat": "ga plass direkte",
    "move_group": "flyttet til en annen gruppe",
    "accept_group": "godtok gruppen",
    "resend": "sendte siste e-post på nytt",
    "requeue": "sendte feilet e-post på nytt",
    "texts": "endret smittevernsinformasjon eller svarfrist",
    "domains": "endret medlemsdomener",
    "check_in": "registrerte ankomst",
    "undo_check_in": "angret ankomst",
    "export": "lastet ned deltakerlisten",
}


def add(
    action: str,
    event: Event | None = None,
    registration: Registration | None = None,
    detail: str = "",
) -> None:
    """Add an entry for the logged-in organiser to the current transaction.

    `detail` names rows by id, never a person by name or address.
    """
    db.session.add(
        AuditEntry(
            organiser_id=current_user.id if current_user.is_authenticated else None,
            event_id=event.id if event is not None else None,
            registration_id=registration.id if registration is not None else None,
            action=action,
            detail=detail,
            created_at=now(),
        )
    )


def record(
    action: str,
    event: Event | None = None,
    registration: Registration | None = None,
    detail: str = "",
) -> None:
    """Write one entry in its own transaction (after a seat decision, or for an export)."""
    with write_transaction():
        add(action, event, registration, detail)
