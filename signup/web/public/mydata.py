"""What the manage page shows a person of everything stored about them (their right of access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...core import retention
from ...extensions import db
from ...mail import kinds
from ...models import OutboxMessage, Registration

#: The moments in a registration's history, in the order they happen, with their words.
HISTORY = (
    ("created_at", _l("Påmeldt")),
    ("consented_at", _l("Samtykket til behandlingen")),
    ("confirmed_at", _l("Bekreftet")),
    ("queued_at", _l("Satt i kø")),
    ("offered_at", _l("Fikk tilbud om plass")),
    ("offer_expires_at", _l("Tilbudet gjelder til")),
    ("admitted_at", _l("Fikk plass")),
    ("left_at", _l("Meldt av, takket nei eller tilbudet gikk ut")),
    ("briefed_at", _l("Fikk smittevernsinformasjonen")),
    ("reminded_at", _l("Fikk påminnelse om ventelisten")),
    ("closed_notice_at", _l("Fikk beskjed om at ventelisten ble stengt")),
    ("checked_in_at", _l("Registrert ved inngangen")),
    ("erasure_requested_at", _l("Ba om sletting")),
)


@dataclass(frozen=True)
class SentEmail:
    kind: str
    at: datetime
    subject: str
    #: False while the email is still on its way (written, not yet sent).
    sent: bool


@dataclass(frozen=True)
class Stored:
    """Everything stored about one registration, for the person's own page."""

    details: list[tuple[str, str]]
    history: list[tuple[str, datetime]]
    emails: list[SentEmail]
    #: When the data goes by itself: the end of the period the attendee list is kept.
    erased_by: datetime
    #: Whether "erase my data" waits for the end of that period.
    kept_for_tracing: bool


def stored_about(registration: Registration) -> Stored:
    """The person's details, the facts of their history and the emails written to them."""
    details = [
        (_l("Navn"), registration.name),
        (_l("E-post"), registration.email),
        (_l("Virksomhet"), registration.organisation),
        (_l("Telefon"), registration.phone),
        (_l("Matbehov og allergier"), registration.dietary),
        (_l("Gruppe"), registration.group.label),
        (_l("Språk"), registration.language),
        (_l("Ny e-postadresse (ikke bekreftet ennå)"), registration.pending_email),
    ]
    for _version, pending in sorted((registration.pending_details or {}).items()):
        shown = ", ".join(str(value) for value in pending.values() if value)
        details.append((_l("Opplysninger fra en senere påmelding (ikke bekreftet)"), shown))
    history = [
        (label, getattr(registration, field))
        for field, label in HISTORY
        if getattr(registration, field) is not None
    ]
    return Stored(
        details=[(label, value) for label, value in details if value],
        history=history,
        emails=_emails(registration),
        erased_by=retention.kept_until(registration.event),
        kept_for_tracing=retention.kept_for_tracing(registration),
    )


def _emails(registration: Registration) -> list[SentEmail]:
    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.created_at, OutboxMessage.sent_at)
        .add_columns(OutboxMessage.subject)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    return [
        SentEmail(
            str(kinds.NAMES.get(kind, kind)), sent_at or created_at, subject or "", bool(sent_at)
        )
        for kind, created_at, sent_at, subject in rows
    ]
