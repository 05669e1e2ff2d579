"""The audit log: every organiser and command-line action, with who and when."""

from __future__ import annotations

import getpass
import logging
import os

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import now
from ..database import write_transaction
from ..extensions import db
from ..models import AuditEntry, Event, Organiser, Registration

log = logging.getLogger(__name__)

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
    "event_load": _l("lastet møtet fra fil"),
    "briefing_send": _l("sendte smittevernsinformasjonen"),
    "login_failed": _l("mislykket innlogging"),
    "password": _l("satte nytt passord for en arrangør"),
    "disable": _l("sperret en arrangørkonto"),
    "enable": _l("åpnet en sperret arrangørkonto"),
    "disable_account": _l("sperret en arrangørkonto"),
    "enable_account": _l("åpnet en sperret arrangørkonto"),
    "invite": _l("inviterte en arrangør"),
    "invite_again": _l("sendte invitasjonen på nytt"),
    "invite_accepted": _l("tok imot invitasjonen og valgte passord"),
    "access": _l("endret rolle eller møter for en konto"),
    "reset_requested": _l("ba om lenke for nytt passord"),
    "password_reset": _l("valgte nytt passord fra lenke"),
    "password_changed": _l("byttet sitt eget passord"),
    "twostep_on": _l("slo på totrinns innlogging"),
    "twostep_off": _l("slo av totrinns innlogging"),
    "recovery_code_used": _l("logget inn med en reservekode"),
}
#: Actions on an organiser account rather than by one: `organiser_id` is the account acted
#: on (a failed login's target, a command's subject), and nobody logged in did them.
ACCOUNT_ACTIONS = frozenset({"login_failed", "password", "disable", "enable", "reset_requested"})


def add(
    action: str,
    event: Event | None = None,
    registration: Registration | None = None,
    detail: str = "",
    operator: str | None = None,
) -> None:
    """Add an entry for the logged-in organiser (or the command-line `operator`).

    `detail` names rows by id, never a person by name or address.
    """
    by_organiser = operator is None and current_user and current_user.is_authenticated
    db.session.add(
        AuditEntry(
            organiser_id=current_user.id if by_organiser else None,
            operator=operator,
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
    operator: str | None = None,
) -> None:
    """Write one entry in its own transaction (after a seat decision, or for an export)."""
    with write_transaction():
        add(action, event, registration, detail, operator)


def operator_name() -> str:
    """Who runs this `flask` command: the user behind sudo, else the login name; "" if unknown."""
    try:
        name = os.environ.get("SUDO_USER") or getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry for the uid (containers)
        name = ""
    return name[:64]


def add_command(action: str, organiser: Organiser, detail: str = "") -> None:
    """Add an entry for a command-line action on an organiser account, with the operator."""
    db.session.add(
        AuditEntry(
            organiser_id=organiser.id,
            action=action,
            detail=detail,
            operator=operator_name(),
            created_at=now(),
        )
    )


def add_by(actor: Organiser | None, action: str, detail: str = "") -> None:
    """Add an entry for an account action by `actor` (None: someone not signed in).

    For ACCOUNT_ACTIONS `actor` is the account acted on instead. `detail` names an
    account by id ("konto 7"), never by address.
    """
    db.session.add(
        AuditEntry(
            organiser_id=actor.id if actor is not None else None,
            action=action,
            detail=detail,
            created_at=now(),
        )
    )


def record_failed_login(organiser: Organiser | None) -> None:
    """Write an entry for a refused login: the account tried, if it exists; no password."""
    with write_transaction():
        db.session.add(
            AuditEntry(
                organiser_id=organiser.id if organiser is not None else None,
                action="login_failed",
                detail="" if organiser is not None else "ukjent adresse",
                created_at=now(),
            )
        )
    log.warning(
        "organiser login refused (%s)",
        f"account {organiser.id}" if organiser is not None else "unknown address",
    )
