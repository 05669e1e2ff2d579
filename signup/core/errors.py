"""The one error a refused action raises, with the reason as an enumeration.

The core names why; the web layer turns each reason into words in one place
(`signup/web/refusals.py`).
"""

from __future__ import annotations

from enum import Enum


class Refusal(Enum):
    """Why the rules refuse an action."""

    #: The registration does not exist (any more).
    UNKNOWN = "unknown"
    #: Registration for the meeting has closed.
    CLOSED = "closed"
    #: The confirm link ran out before it was used.
    EXPIRED = "expired"
    #: The details a confirm link was sent for were replaced by newer ones, or are gone.
    SUPERSEDED = "superseded"
    #: The offer answered is not the person's current one.
    STALE_OFFER = "stale_offer"
    #: The organiser gives a seat to someone no longer on the waitlist.
    NOT_WAITING = "not_waiting"
    #: Every seat is held and overbooking was not asked for.
    FULL = "full"
    #: No priority group of the event has that key.
    UNKNOWN_GROUP = "unknown_group"
    #: A capacity below zero.
    NEGATIVE_CAPACITY = "negative_capacity"
    #: Only a person with a seat can hand it over, before the meeting starts.
    NO_SEAT_TO_HAND_OVER = "no_seat_to_hand_over"
    #: A handover is already waiting, or today's handovers are used up.
    HANDOVER_LIMIT = "handover_limit"
    #: The colleague named is the giver themself.
    HANDOVER_TO_SELF = "handover_to_self"
    #: The handover was taken, withdrawn, refused or ran out.
    HANDOVER_ENDED = "handover_ended"
    #: The colleague is already registered for the meeting.
    ALREADY_REGISTERED = "already_registered"
    #: A check-in pass that is not one of ours: altered, or a token of another purpose.
    BAD_PASS = "bad_pass"
    #: A check-in pass for another event than the one at this door.
    OTHER_EVENT = "other_event"
    #: A short code no registration of this event has.
    UNKNOWN_CODE = "unknown_code"
    #: The meeting is cancelled: nobody is seated or let in any more.
    EVENT_CANCELLED = "event_cancelled"
    #: A walk-in under the address of someone signed up with a seat: check them in instead.
    HAS_SEAT = "has_seat"
    #: The person's details cannot be changed before the sign-up is confirmed.
    NOT_CONFIRMED = "not_confirmed"
    #: A change-email link that is not the newest, or was used already.
    STALE_LINK = "stale_link"
    #: The new address is registered for the event already.
    ADDRESS_TAKEN = "address_taken"


class Refused(Exception):
    """An action the rules refuse; nothing was changed. `reason` says why."""

    def __init__(self, reason: Refusal):
        super().__init__(reason.value)
        self.reason = reason
