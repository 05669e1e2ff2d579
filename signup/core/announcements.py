"""Messages from the organisers to a segment of an event: send now, schedule, edit, withdraw.

Each public function is one transaction with its audit entry. Sending writes the message's
row and one outbox row per recipient (a bulk insert: a thousand people take a moment);
each copy is rendered after the commit with the person's own name and manage link. The
recipients are resolved when the message is sent, inside the event's seat lock, so they
are exactly the segment at that moment. A scheduled message is claimed by a conditional
UPDATE (state still "scheduled") in the same transaction as its outbox rows: however many
schedulers sweep at once, it is sent once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..clock import now
from ..extensions import db
from ..mail import outbox
from ..models import Announcement, AnnouncementState, Event, MessageState, OutboxMessage
from . import audit, segments
from .audit import Actor
from .lock import seat_lock, write_transaction

log = logging.getLogger(__name__)

KIND = "organiser_message"
TEST_KIND = "organiser_message_test"
#: Limits on what an organiser writes (the form says them in words).
SUBJECT_MAX = 150
BODY_MAX = 5000


def _check(event: Event, subject: str, body: str, segment: str) -> None:
    """Refuse what the form lets through only by mistake: the core holds its own limits."""
    segments.find(event, segment)  # raises UnknownSegment
    if not subject.strip() or not body.strip():
        raise ValueError("a message needs a subject and a body")
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise ValueError("message too long")


def _future(at: datetime) -> None:
    if at <= now():
        raise ValueError("a scheduled time must be in the future")


def _detail(announcement: Announcement, extra: str = "") -> str:
    """The audit entry's words: the message by id and its segment, never its text."""
    return f"melding #{announcement.id} til {announcement.segment}{extra}"


def send(event_id: int, subject: str, body: str, segment: str, *, by: Actor) -> Announcement:
    """Send a message now to everyone in `segment`; returns it (with its recipient count)."""
    with seat_lock(event_id) as event:
        _check(event, subject, body, segment)
        announcement = Announcement(
            event_id=event.id,
            subject=subject,
            body=body,
            segment=segment,
            state=AnnouncementState.SENT,
            author_id=_author(by),
            created_at=now(),
            sent_at=now(),
        )
        db.session.add(announcement)
        db.session.flush()
        _write_copies(event, announcement)
        audit.add("message_send", event, detail=_detail(announcement, _count(announcement)), by=by)
    return announcement


def _write_copies(event: Event, announcement: Announcement) -> None:
    """One outbox row per recipient of the segment as it is now (inside the seat lock)."""
    recipients = segments.recipients(event, announcement.segment)
    announcement.recipient_count = outbox.enqueue_many(
        KIND, recipients, announcement_id=announcement.id
    )


def _count(announcement: Announcement) -> str:
    return f": {announcement.recipient_count} mottakere"


def _author(by: Actor) -> int | None:
    return getattr(by, "id", None)


def schedule(
    event_id: int, subject: str, body: str, segment: str, at: datetime, *, by: Actor
) -> Announcement:
    """Keep a message to send at `at` (in the future); the sweep sends it then."""
    with write_transaction():
        event = db.session.get(Event, event_id)
        _check(event, subject, body, segment)
        _future(at)
        announcement = Announcement(
            event_id=event.id,
            subject=subject,
            body=body,
            segment=segment,
            state=AnnouncementState.SCHEDULED,
            author_id=_author(by),
            created_at=now(),
            scheduled_at=at,
        )
        db.session.add(announcement)
        db.session.flush()
        audit.add("message_schedule", event, detail=_detail(announcement), by=by)
    return announcement


def edit(
    event: Event,
    announcement_id: int,
    subject: str,
    body: str,
    segment: str,
    at: datetime,
    *,
    by: Actor,
) -> bool:
    """Change a scheduled message that has not gone yet; False when it has gone or is gone."""
    with write_transaction():
        _check(event, subject, body, segment)
        _future(at)
        changed = _while_scheduled(
            event, announcement_id, subject=subject, body=body, segment=segment, scheduled_at=at
        )
        if changed:
            announcement = db.session.get(Announcement, announcement_id)
            audit.add("message_edit", event, detail=_detail(announcement), by=by)
    return changed


def withdraw(event: Event, announcement_id: int, *, by: Actor) -> bool:
    """Withdraw a scheduled message before it goes; False when it has gone or is gone."""
    with write_transaction():
        withdrawn = _while_scheduled(
            event, announcement_id, state=AnnouncementState.WITHDRAWN, withdrawn_at=now()
        )
        if withdrawn:
            announcement = db.session.get(Announcement, announcement_id)
            audit.add("message_withdraw", event, detail=_detail(announcement), by=by)
    return withdrawn


def _while_scheduled(event: Event, announcement_id: int, **values) -> bool:
    """Change the message only while it is still scheduled (the sweep may have claimed it)."""
    return (
        db.session.execute(
            update(Announcement)
            .where(
                Announcement.id == announcement_id,
                Announcement.event_id == event.id,
                Announcement.state == AnnouncementState.SCHEDULED,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def send_test(event: Event, subject: str, body: str, address: str, *, by: Actor) -> None:
    """Send the message, marked as a test and greeting a sample name, to `address` only."""
    with write_transaction():
        if not subject.strip() or len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
            raise ValueError("not a message to test")
        outbox.enqueue_to_address(
            TEST_KIND, event, address, "nb", message_subject=subject, message_body=body
        )
        audit.add("message_test", event, by=by)


def send_scheduled(announcement_id: int) -> int:
    """Send one scheduled message whose time has come; returns its copies (0: not ours)."""
    event_id = db.session.scalar(
        select(Announcement.event_id).where(Announcement.id == announcement_id)
    )
    if event_id is None:
        return 0
    with seat_lock(event_id) as event:
        claimed = db.session.execute(
            update(Announcement)
            .where(
                Announcement.id == announcement_id,
                Announcement.state == AnnouncementState.SCHEDULED,
                Announcement.scheduled_at <= now(),
            )
            .values(state=AnnouncementState.SENT, sent_at=now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return 0  # another scheduler sent it, or it was withdrawn meanwhile
        announcement = db.session.get(Announcement, announcement_id, populate_existing=True)
        _write_copies(event, announcement)
        audit.add(
            "message_send", event, detail=_detail(announcement, _count(announcement)), by=None
        )
        return announcement.recipient_count


def due() -> list[int]:
    """Scheduled messages whose time has come."""
    return list(
        db.session.scalars(
            select(Announcement.id)
            .where(
                Announcement.state == AnnouncementState.SCHEDULED,
                Announcement.scheduled_at <= now(),
            )
            .order_by(Announcement.scheduled_at, Announcement.id)
        )
    )


def send_due() -> int:
    """The scheduler's sweep: send every scheduled message that is due; returns copies.

    One message that cannot be sent (its group was removed from the event) is withdrawn
    and logged by id; the others still go.
    """
    copies = 0
    for announcement_id in due():
        try:
            copies += send_scheduled(announcement_id)
        except segments.UnknownSegment:
            _withdraw_unsendable(announcement_id)
    return copies


def _withdraw_unsendable(announcement_id: int) -> None:
    """Withdraw a due message whose segment the event no longer has, with an audit entry."""
    log.warning("scheduled message %s withdrawn: its segment no longer exists", announcement_id)
    with write_transaction():
        announcement = db.session.get(Announcement, announcement_id)
        if _while_scheduled(
            announcement.event,
            announcement_id,
            state=AnnouncementState.WITHDRAWN,
            withdrawn_at=now(),
        ):
            detail = _detail(announcement, ": gruppen finnes ikke lenger")
            audit.add("message_withdraw", announcement.event, detail=detail, by=None)


# -- reads for the message pages ---------------------------------------------------------


def of_event(event: Event) -> list[Announcement]:
    """The event's messages: scheduled first (soonest first), then the rest, newest first."""
    found = db.session.scalars(
        select(Announcement).where(Announcement.event_id == event.id).order_by(Announcement.id)
    ).all()
    scheduled = sorted(
        (a for a in found if a.state == AnnouncementState.SCHEDULED), key=lambda a: a.scheduled_at
    )
    rest = [a for a in reversed(found) if a.state != AnnouncementState.SCHEDULED]
    return scheduled + rest


def progress(announcement: Announcement) -> tuple[int, int]:
    """(copies sent, copies written) of a message, from its outbox rows' states."""
    rows = db.session.execute(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.announcement_id == announcement.id)
        .group_by(OutboxMessage.state)
    ).all()
    by_state = dict(rows)
    return by_state.get(MessageState.SENT, 0), sum(by_state.values())


def copies(announcement: Announcement) -> list[OutboxMessage]:
    """Each recipient's copy of a message (its registration and delivery state), in order."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .options(selectinload(OutboxMessage.registration))
            .where(OutboxMessage.announcement_id == announcement.id)
            .order_by(OutboxMessage.id)
        )
    )
