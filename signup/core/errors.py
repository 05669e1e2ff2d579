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
