"""The audit log: every organiser action, with who and when."""

from __future__ import annotations

from flask_login import current_user

from ..clock import now
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


def record(
    action: str,
    event: Event | None = None,
    registration: Registration | None = None,
    detail: str = "",
) -> AuditEntry:
    """Write one entry for the logged-in organiser and commit it.

    Seat decisions commit in their own transaction (admission's seat lock), so the entry
    follows right after; `detail` names rows by id, never by name or address.
    """
    entry = AuditEntry(
        organiser_id=current_user.id if current_user.is_authenticated else None,
        event_id=event.id if event is not None else None,
        registration_id=registration.id if registration is not None else None,
        action=action,
        detail=detail,
        created_at=now(),
    )
    db.session.add(entry)
    db.session.commit()
    return entry
