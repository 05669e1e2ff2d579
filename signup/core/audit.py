"""The audit log: every organiser and command-line action, with who and when."""

from __future__ import annotations

import getpass
import logging
import os

from flask_babel import lazy_gettext as _l

from ..clock import now
from ..extensions import db
from ..models import AuditEntry, Event, Organiser, Registration
from .lock import write_transaction

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
    "event_create": _l("opprettet møtet"),
    "event_edit": _l("endret møtet"),
    "event_status": _l("endret møtets status"),
    "event_duplicate": _l("kopierte møtet"),
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
    "erased_on_request": _l("personen slettet opplysningene sine"),
    "erasure_requested": _l("personen ba om sletting etter smittesporingstiden"),
    "handover": _l("plass overført til en kollega"),
    "handover_refuse": _l("avslo overføring av plass"),
    "walk_in": _l("la til og sjekket inn en person uten påmelding"),
    "erase": _l("slettet personopplysningene etter lagringstiden"),
    "message_send": _l("sendte en melding til deltakerne"),
    "message_schedule": _l("planla en melding til deltakerne"),
    "message_edit": _l("endret en planlagt melding"),
    "message_withdraw": _l("trakk tilbake en planlagt melding"),
    "message_test": _l("sendte en testmelding til seg selv"),
    "details_changed": _l("personen endret egne opplysninger"),
    "email_changed": _l("personen bekreftet ny e-postadresse"),
}
#: Actions on an organiser account rather than by one: `organiser_id` is the account acted
#: on (a failed login's target, a command's subject), and nobody logged in did them.
ACCOUNT_ACTIONS = frozenset({"login_failed", "password", "disable", "enable", "reset_requested"})
#: Actions a registrant did on their own registration (by nobody: no organiser, no operator):
#: asking for their data to be erased, changing their details or address.
PERSON_ACTIONS = frozenset(
    {"erased_on_request", "erasure_requested", "details_changed", "email_changed"}
)
#: Actions of the scheduler's sweeps: nobody did them, by design.
SWEEP_ACTIONS = frozenset({"erase"})

#: Who did an action: the organiser signed in, the operator's login name on the command
#: line, or None for nobody (the person themself, or a sweep).
Actor = Organiser | str | None


def add(
    action: str,
    event: Event | None = None,
    registration: Registration | None = None,
    detail: str = "",
    *,
    by: Actor,
) -> None:
    """Add an entry to the caller's transaction, for the organiser or operator `by`.

    `detail` names rows by id, never a person by name or address.
    """
    if by is not None and not isinstance(by, (Organiser, str)):
        raise TypeError(f"an audit entry is by an organiser, an operator or nobody, not {by!r}")
    db.session.add(
        AuditEntry(
            organiser_id=by.id if isinstance(by, Organiser) else None,
            operator=by if isinstance(by, str) else None,
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
    *,
    by: Actor,
) -> None:
    """Write one entry in its own transaction (an action that changes nothing else)."""
    with write_transaction():
        add(action, event, registration, detail, by=by)


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
