"""The audit log: every organiser action, with who and when."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import now
from ..database import write_transaction
from ..extensions import db
from ..models import AuditEntry, Event, Registration

#: Each action in words, for the audit page.
ACTION_LABELS = {
    "login": _l("logget inn"),
    "logout": _l("logget ut"),
    "capacity": _l("endret antall plasser"),
    "cancel": _l("meldte av en påmelding"),
    "grant_seat": _l("ga plass direkte"),
    "move_group": _l("flyttet til en annen gruppe"),
    "accept_group": _l("godtok gruppen"),
    "resend": _l("sendte siste e-post på nytt"),
    "requeue": _l("sendte feilet e-post på nytt"),
    "requeue_failed": _l("sendte all feilet e-post på nytt"),
    "texts": _l("endret smittevernsinformasjon eller svarfrist"),
    "domains": _l("endret medlemsdomener"),
    "check_in": _l("registrerte ankomst"),
    "undo_check_in": _l("angret ankomst"),
    "export": _l("lastet ned deltakerlisten"),
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
