"""The data: events, their priority groups, registrations, the email outbox and organisers."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.event import listen
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .checkin_pass import short_code
from .clock import now
from .extensions import db


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC and gives them back aware, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


def _stored_enum(values: type[enum.StrEnum]) -> db.Enum:
    """An enum stored as its plain string values (no native type), the same on every database."""
    return db.Enum(
        values, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class State(enum.StrEnum):
    """Where a registration stands; see the state diagram in ARCHITECTURE.md."""

    UNCONFIRMED = "unconfirmed"
    ADMITTED = "admitted"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    DECLINED = "declined"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"
    #: The seat went to a colleague the person named (core/handover.py).
    TRANSFERRED = "transferred"


SEAT_HOLDING = (State.ADMITTED, State.OFFERED)


class GroupCheck(enum.StrEnum):
    """Whether a claimed priority group is backed by the member lists; see core/members.py."""

    NOT_NEEDED = "not_needed"
    MATCHED = "matched"
    ACCEPTED = "accepted"
    UNVERIFIED = "unverified"


class EventStatus(enum.StrEnum):
    """Where an event stands: only a published event is seen by the public and takes sign-ups."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def _public_id() -> str:
    return secrets.token_urlsafe(16)


def _checkin_code(context) -> str:
    # Column defaults run in column order: the public id is already chosen.
    return short_code(context.get_current_parameters()["public_id"])


class Event(db.Model):
    """A meeting with limited seats."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: IANA zone the meeting happens in; times are stored in UTC and shown in this zone.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Seats the infection-control rules allow; an organiser setting.
    capacity: Mapped[int] = mapped_column(Integer)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: How long a waitlist offer stays open, in hours (fractions allowed).
    offer_hours: Mapped[float] = mapped_column(Float, default=24.0)
    #: When true, 22:00-08:00 local time does not count towards an offer's window.
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Until this moment `reserved_seats` seats are open only to the best rank.
    priority_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reserved_seats: Mapped[int] = mapped_column(Integer, default=0)
    briefing_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retention_days: Mapped[int] = mapped_column(Integer, default=10)
    #: The organiser's infection-control text, sent in the day-before briefing.
    briefing: Mapped[str] = mapped_column(Text, default="")
    #: Set by the sweep that released the reserve, so it runs once.
    reserve_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set by the sweep that erased personal data after the retention period.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set by the sweep that closed the waitlist at registration close.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Who runs the meeting, named in every email ("Profilgruppa"); may be empty.
    organiser_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Where people reach the organiser: shown in every email and used as its Reply-To.
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    #: Raised whenever the time or place changes, so calendars replace the entry they hold.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: A draft is seen by organisers only; sign-up is open only while published.
    status: Mapped[EventStatus] = mapped_column(
        _stored_enum(EventStatus), default=EventStatus.PUBLISHED, server_default="published"
    )

    groups: Mapped[list[PriorityGroup]] = relationship(
        back_populates="event", order_by="PriorityGroup.rank, PriorityGroup.id"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def registration_open(self, at: datetime | None = None) -> bool:
        published = self.status in (EventStatus.PUBLISHED, None)  # None: not yet flushed
        return published and (at or now()) < self.registration_closes_at

    def reserve_active(self, at: datetime | None = None) -> bool:
        return bool(
            self.priority_until and self.reserved_seats and (at or now()) < self.priority_until
        )


#: The attributes a calendar entry shows of the meeting's time and place.
CALENDAR_ATTRIBUTES = (Event.starts_at, Event.ends_at, Event.venue)


def _time_or_place_changed(event: Event, value, old, initiator) -> None:
    """A changed time or place raises the sequence (not a first value, not the same value)."""
    # `old` is a sentinel (or None) when there was no value before: a new event.
    if isinstance(old, datetime | str) and value != old:
        event.calendar_sequence = (event.calendar_sequence or 0) + 1


for _attribute in CALENDAR_ATTRIBUTES:
    listen(_attribute, "set", _time_or_place_changed, active_history=True)


class PriorityGroup(db.Model):
    """A group of people admitted in rank order (1 first)."""

    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)

    event: Mapped[Event] = relationship(back_populates="groups")
    domains: Mapped[list[MemberDomain]] = relationship(
        back_populates="group", order_by="MemberDomain.domain", cascade="all, delete-orphan"
    )


class MemberDomain(db.Model):
    """An email domain of a member organisation of a priority group (e.g. finnfjord.no)."""

    __table_args__ = (UniqueConstraint("group_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("priority_group.id", ondelete="CASCADE"), index=True
    )
    #: Lower-case; an address matches it or any of its subdomains.
    domain: Mapped[str] = mapped_column(String(253))

    group: Mapped[PriorityGroup] = relationship(back_populates="domains")


class Registration(db.Model):
    """One person's sign-up for one event: at most one per (event, normalised email)."""

    __table_args__ = (
        UniqueConstraint("event_id", "email_normalised"),
        Index("uq_registration_event_checkin_code", "event_id", "checkin_code", unique=True),
        # Seat counts, waitlist length and position filter on both (issue 8, bench/scale).
        Index("ix_registration_event_state", "event_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The opaque id carried in signed links; never the row id, name or address.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("priority_group.id"))
    state: Mapped[State] = mapped_column(
        _stored_enum(State),
        default=State.UNCONFIRMED,
        index=True,
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    #: Trimmed, lower-cased address; NULL once erased after the retention period.
    email_normalised: Mapped[str | None] = mapped_column(String(254), nullable=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    dietary: Mapped[str] = mapped_column(Text, default="")
    #: Language the person signed up in; their emails use it.
    language: Mapped[str] = mapped_column(String(8), default="nb")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    #: When the current confirmation link expires; unconfirmed rows are erased after it.
    confirm_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Place in the waitlist order (after rank); reset when someone rejoins at the back.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Counts offers, so a link to an earlier offer never accepts a later one.
    offer_number: Mapped[int] = mapped_column(Integer, default=0)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    briefed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set when a person still waiting at briefing time got the waitlist reminder.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set when personal data was erased after the retention period.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set when a person still waiting was told the waitlist closed.
    closed_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Raised when this person's calendar entry is re-issued (re-admitted) or withdrawn.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: While unconfirmed, each later sign-up under this address gets the next version; its
    #: confirm link carries that version and confirms only the details it was sent for.
    link_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Details typed in later sign-ups while unconfirmed, by version (as a string), until a
    #: link of that version is used; cleared on confirmation and erasure.
    pending_details: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    #: Whether the member lists back the claimed group; admission ignores it.
    group_check: Mapped[GroupCheck] = mapped_column(
        _stored_enum(GroupCheck),
        default=GroupCheck.NOT_NEEDED,
        server_default=GroupCheck.NOT_NEEDED.value,
    )
    #: When the person asked for their data to be erased while the attendee list must be
    #: kept; the retention sweep erases it when the period ends.
    erasure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The short code typed at the door by someone who cannot show the QR code
    #: (checkin_pass.short_code of the public id); unique per event.
    checkin_code: Mapped[str | None] = mapped_column(
        String(8), nullable=True, default=_checkin_code
    )
    #: Added at the door without a registration (core/admission.py admit_walk_in): their
    #: details are for contact tracing only, so no email is ever written to them, and
    #: `email_normalised` stays NULL (the address, if given, is no sign-up's key).
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    #: A new address the person asked to change to, until the link sent to it is used;
    #: every email still goes to `email` meanwhile. Cleared on use and on erasure.
    pending_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    #: Raised on every address change asked for and on its use: a change-email link
    #: carries it, so only the newest link works, and once.
    email_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    event: Mapped[Event] = relationship()
    group: Mapped[PriorityGroup] = relationship()


class MessageState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An email, written in the transaction that caused it and sent after commit."""

    # The delivery claim looks for due rows by state and time.
    __table_args__ = (Index("ix_outbox_message_state_next_attempt", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), nullable=True, index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    #: What the email is written for, as it was in the transaction that wrote the row:
    #: {"facts": the registration's state, deadlines, language...; "values": a waitlist
    #: position, the organiser's reason...}. The email is rendered from it after commit.
    context: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    #: The subject, once built.
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: The Message-ID header of `message`, given when the row is written, for finding the
    #: row from a reply or a bounce.
    message_id: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    #: The whole email as sent (RFC 5322 bytes), built once after the commit (NULL until
    #: then): every attempt sends the same bytes, so a repeated delivery is recognisably
    #: the same mail.
    message: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[MessageState] = mapped_column(
        _stored_enum(MessageState),
        default=MessageState.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    #: A sender's lease: while it runs, no other worker sends this row.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The organiser's message this row is one recipient's copy of (kind "organiser_message").
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcement.id", ondelete="SET NULL"), nullable=True, index=True
    )

    registration: Mapped[Registration | None] = relationship()


class RelayStatus(db.Model):
    """The mail relay as the senders last found it; one row. While it is down, delivery pauses.

    An unreachable relay is not a message's fault: no message spends an attempt on it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When a sender first failed to reach the relay; None while it answers.
    down_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: No sender tries the relay again before this.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Failed tries in a row, for the growing pause between them.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Organiser(UserMixin, db.Model):
    """A person who runs events (or a door) through the dashboard: made by the CLI or invited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Trimmed and lower-cased.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: A werkzeug.security hash; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    #: Part of every session's identity: raised on logout, a new password and disabling,
    #: which ends every session (and copied cookie) signed with an older one.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set by `flask organiser disable`: the account can neither log in nor stay logged in.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: "organiser" (runs the events it is given) or "door" (their check-in pages only).
    role: Mapped[str] = mapped_column(String(16), default="organiser", server_default="organiser")
    #: Every event, present and future, rather than those in `events`. An organiser with
    #: all events is the administrator: only they invite and manage accounts.
    all_events: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    #: Part of every invite and reset link: raised when a link is sent or used and when the
    #: password changes, so a link works once and only until a newer one or a new password.
    link_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The base32 secret of two-step sign-in; None while it is off.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The last time step a code was accepted for: a code works once.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: SHA-256 hashes of the unused recovery codes (random, so a fast hash is enough).
    recovery_codes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    events: Mapped[list[Event]] = relationship(secondary="organiser_event", order_by="Event.id")

    @property
    def has_password(self) -> bool:
        """False until an invited person has chosen their password."""
        return bool(self.password_hash)

    @property
    def is_admin(self) -> bool:
        """May invite and manage accounts: an organiser of all events."""
        return self.role == "organiser" and self.all_events

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to log in an account that is not active."""
        return self.disabled_at is None

    def get_id(self) -> str:
        """What the session cookie holds: the account and its session version."""
        return f"{self.id}.{self.session_version}"


class OrganiserEvent(db.Model):
    """An event an organiser or door account with `all_events` off is given."""

    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuditEntry(db.Model):
    """One organiser or operator action: who, when, on what; `detail` holds no personal data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL"), nullable=True, index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: The registration acted on, shown by row id; its personal data stays in its own row.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), nullable=True
    )
    #: The login name of whoever ran a `flask` command ("" when unknown); None for the dashboard.
    operator: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)

    organiser: Mapped[Organiser | None] = relationship()
    event: Mapped[Event | None] = relationship()


class HandoverState(enum.StrEnum):
    """Where a seat's handover to a colleague stands; see core/handover.py."""

    PENDING = "pending"
    AWAITING_APPROVAL = "awaiting_approval"
    ACCEPTED = "accepted"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


#: A handover in one of these may still move the seat.
HANDOVER_OPEN = (HandoverState.PENDING, HandoverState.AWAITING_APPROVAL)


class Handover(db.Model):
    """A seat holder's offer of their seat to a colleague, until it is taken or ends."""

    __table_args__ = (Index("ix_handover_state_expires", "state", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The opaque id carried in the colleague's signed link.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    giver_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    #: The colleague's registration, made when they take the seat.
    taker_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), nullable=True
    )
    #: As the giver typed them; erased with the event's other personal data.
    colleague_name: Mapped[str] = mapped_column(String(200))
    colleague_email: Mapped[str] = mapped_column(String(254))
    #: The colleague's emails (and their registration) use the giver's language.
    language: Mapped[str] = mapped_column(String(8), default="nb")
    #: The colleague's address is not on the group's member list: an organiser decides.
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[HandoverState] = mapped_column(
        _stored_enum(HandoverState), default=HandoverState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    #: Pending: the colleague's deadline; awaiting approval: the meeting's start.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the colleague pressed the button.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When it was accepted, lapsed, withdrawn or refused.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    event: Mapped[Event] = relationship()
    giver: Mapped[Registration] = relationship(foreign_keys=[giver_id])
    taker: Mapped[Registration | None] = relationship(foreign_keys=[taker_id])


class AnnouncementState(enum.StrEnum):
    """Where an organiser's message stands: waiting for its time, handed to the outbox, or not."""

    SCHEDULED = "scheduled"
    SENT = "sent"
    WITHDRAWN = "withdrawn"


class Announcement(db.Model):
    """A message from the organisers to a segment of an event (core/announcements.py).

    Each recipient's copy is an outbox row pointing here, rendered after commit with their
    own name and manage link; the recipients are resolved when it is sent.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: May name people: erased with the event's personal data after the retention period.
    subject: Mapped[str] = mapped_column(String(200))
    #: The small Markdown of signup/markdown.py; erased with the subject.
    body: Mapped[str] = mapped_column(Text)
    #: Who it goes to, a key of core/segments.py ("seated", "waitlist", "group:medlem", ...).
    segment: Mapped[str] = mapped_column(String(60))
    state: Mapped[AnnouncementState] = mapped_column(_stored_enum(AnnouncementState))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    #: When a scheduled message goes; None for one sent at once.
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: How many copies were written when it was sent: an anonymous count, kept after erasure.
    recipient_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set when the subject and body were erased with the event's personal data.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[Organiser | None] = relationship()
    event: Mapped[Event] = relationship()
