"""Building an email after the transaction that wrote it: render its intent, make the bytes.

An outbox row is written in the transaction as an intent: the kind, the registration (or
the address), and the facts of that moment the email states (`facts`, plus values such
as a waitlist position). After the commit, outside any seat lock, the row is built once:
rendered from the registration as it was when the row was written, made into RFC 5322
bytes by Flask-Mail, and kept in the row, so every attempt sends the same message.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.utils import make_msgid, parseaddr

from flask import current_app
from flask_mail import Message
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..clock import now
from ..extensions import db
from ..models import Announcement, Event, Handover, Registration, State
from . import inline, render

log = logging.getLogger(__name__)

#: The calendar file's type; its METHOD (PUBLISH or CANCEL) is the file's own.
ICS_TYPE = "text/calendar; method={method}; charset=UTF-8"
#: Lines of 8bit text may be at most 998 bytes (RFC 5322 2.1.1), and relays refuse or
#: break longer ones; text with a longer line (a briefing pasted as one paragraph) is
#: sent quoted-printable instead.
MAX_LINE_BYTES = 998
_QUOTED_PRINTABLE = Charset("utf-8")
_QUOTED_PRINTABLE.body_encoding = QP
ERASED = "the registration was erased before its email was built"


def facts(registration: Registration) -> dict:
    """What an email to `registration` states, as it is now: JSON values, no personal data."""
    return {
        "state": State(registration.state).value,
        "language": registration.language or "nb",
        "offer_number": registration.offer_number or 0,
        "calendar_sequence": registration.calendar_sequence or 0,
        "offer_expires_at": _iso(registration.offer_expires_at),
        "confirm_expires_at": _iso(registration.confirm_expires_at),
        "registration_open": registration.event.registration_open(),
    }


def address_facts(language: str) -> dict:
    """What an email to an address with no registration depends on: its language."""
    return {"language": language}


class _AsWritten:
    """A row as an email was written about it: the kept facts over the live row's values."""

    def __init__(self, live, **kept):
        self._live = live
        self.__dict__.update(kept)

    def __getattr__(self, name: str):
        return getattr(self._live, name)


def as_written(registration: Registration, kept: dict) -> Registration:
    """`registration` as it was when the facts `kept` were taken (for rendering)."""
    is_open = kept["registration_open"]
    event = _AsWritten(registration.event, registration_open=lambda at=None: is_open)
    return _AsWritten(  # type: ignore[return-value]
        registration,
        event=event,
        state=State(kept["state"]),
        language=kept["language"],
        offer_number=kept["offer_number"],
        calendar_sequence=kept["calendar_sequence"],
        offer_expires_at=_moment(kept["offer_expires_at"]),
        confirm_expires_at=_moment(kept["confirm_expires_at"]),
    )


@dataclass(frozen=True)
class Built:
    """An outbox row's email, built: its subject and the bytes every attempt sends."""

    subject: str
    message: bytes


class Unbuildable(Exception):
    """An outbox row whose email cannot be built; the message says why, for the organiser."""


def build_rows(
    rows: Iterable, stop: threading.Event | None = None
) -> dict[int, Built | Unbuildable]:
    """Build outbox rows (id, kind, registration_id, event_id, recipient, message_id, context).

    What they need is read first, in a session of its own (the caller's is untouched),
    and its connection given back before rendering: none is held while emails render.
    A row that cannot be built gets an `Unbuildable` saying why instead of its email.
    Once `stop` is set, the rows not built yet are left out.
    """
    rows = list(rows)
    with Session(db.engine, expire_on_commit=False) as session:
        registrations = _registrations(session, {row.registration_id for row in rows})
        handovers = _handovers(session, {_value(row, "handover") for row in rows})
        events = {
            event.id: event
            for event in session.scalars(
                select(Event).where(Event.id.in_({row.event_id for row in rows}))
            )
        }
        announcements = _announcements(session, {_value(row, "announcement") for row in rows})
        session.commit()
    built: dict[int, Built | Unbuildable] = {}
    for row in rows:
        if stop is not None and stop.is_set():
            break
        try:
            built[row.id] = build(
                row,
                registrations.get(row.registration_id),
                events.get(row.event_id),
                handovers.get(_value(row, "handover")),
                announcements.get(_value(row, "announcement")),
            )
        except Unbuildable as reason:
            built[row.id] = reason
        except Exception as error:  # a row must never stop the others being sent
            reason = f"could not be built: {type(error).__name__}"
            log.warning("outbox message %s %s", row.id, reason)
            built[row.id] = Unbuildable(reason)
    return built


def _registrations(session: Session, ids: set) -> dict[int, Registration]:
    ids.discard(None)
    if not ids:
        return {}
    found = session.scalars(
        select(Registration).options(joinedload(Registration.event)).where(Registration.id.in_(ids))
    )
    return {registration.id: registration for registration in found}


def _value(row, key: str):
    """A value the row's intent holds (the id of a handover or an organisers' message)."""
    return ((row.context or {}).get("values") or {}).get(key)


def _handovers(session: Session, ids: set) -> dict[int, Handover]:
    """The handovers rows name (an email about handing a seat over), with giver and event."""
    ids.discard(None)
    if not ids:
        return {}
    found = session.scalars(
        select(Handover)
        .options(joinedload(Handover.giver), joinedload(Handover.event))
        .where(Handover.id.in_(ids))
    )
    return {handover.id: handover for handover in found}


def _announcements(session: Session, ids: set) -> dict[int, Announcement]:
    """The organisers' messages the rows are copies of, by id."""
    ids.discard(None)
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Announcement).where(Announcement.id.in_(ids)))}


def _announcement_text(announcement: Announcement | None) -> dict:
    """What a copy of an organiser's message says; raises Unbuildable once it is erased."""
    if announcement is None or announcement.erased_at is not None:
        raise Unbuildable("the organisers' message was erased before its email was built")
    return {"message_subject": announcement.subject, "message_body": announcement.body}


def build(
    row,
    registration: Registration | None,
    event: Event | None,
    handover: Handover | None = None,
    announcement: Announcement | None = None,
) -> Built:
    """Render the intent of `row` and build its message; raises Unbuildable.

    `handover` and `announcement` are what the row's intent names, read with the rest.
    """
    context = row.context or {}
    values = dict(context.get("values") or {})
    if "handover" in values:
        if handover is None or not handover.colleague_email:
            raise Unbuildable(ERASED)
        values["handover"] = handover
    if row.kind in render.HANDOVER_KINDS:
        rendered = render.render_for_handover(row.kind, handover, context["facts"]["language"])
    elif row.kind in render.ACCOUNT_KINDS:
        rendered = render.render_for_account(row.kind, context["facts"]["language"], **values)
    elif row.kind == render.SAMPLE_KIND:
        if event is None:
            raise Unbuildable("the event was deleted before its email was built")
        language = context["facts"]["language"]
        rendered = render.render_sample(event, language, test=True, **values)
    elif row.kind in render.ADDRESS_KINDS:
        if event is None:
            raise Unbuildable("the event was deleted before its email was built")
        rendered = render.render_for_address(row.kind, event, context["facts"]["language"])
    else:
        if registration is None or registration.erased_at or not registration.email_normalised:
            raise Unbuildable(ERASED)
        written = as_written(registration, context["facts"])
        if "announcement" in values:
            values.pop("announcement")
            values.update(_announcement_text(announcement))
        rendered = render.render(row.kind, written, **values)
    data = message(rendered, row.recipient, row.message_id).as_bytes()
    if rendered.inline_image is not None:
        data = inline.with_inline_image(data, rendered.inline_image)
    return Built(rendered.subject, data)


def message(rendered: render.RenderedEmail, recipient: str, message_id: str) -> Message:
    """The email as Flask-Mail builds it, dated now (each attempt dates it again)."""
    mail = Message(
        subject=rendered.subject,
        recipients=[recipient],
        body=rendered.text,
        html=rendered.html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=rendered.reply_to,
        date=now().timestamp(),
        extra_headers={"Auto-Submitted": "auto-generated"},
        charset=_QUOTED_PRINTABLE if _has_long_line(rendered.text, rendered.html) else None,
    )
    mail.msgId = message_id
    if rendered.ics:
        # Bytes: Flask-Mail would write a str attachment as Latin-1 whatever its charset.
        data = rendered.ics if isinstance(rendered.ics, bytes) else rendered.ics.encode()
        mail.attach("invitasjon.ics", ICS_TYPE.format(method=rendered.ics_method), data)
    return mail


def new_message_id() -> str:
    """A Message-ID of the sender's domain, given when the row is written (in the lock)."""
    return make_msgid(domain=_domain_of(current_app.config["MAIL_DEFAULT_SENDER"]))


@functools.lru_cache(maxsize=8)
def _domain_of(sender: str) -> str:
    # Parsing the address is most of a Message-ID's cost; the sender seldom changes.
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _has_long_line(*texts: str) -> bool:
    return any(len(line.encode()) > MAX_LINE_BYTES for text in texts for line in text.splitlines())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None
