"""When a waitlist offer expires: `offer_hours` of waking time, never past registration close."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Event

#: Local hours that do not count towards an offer's window: nobody loses a seat asleep.
QUIET_STARTS = time(22, 0)
QUIET_ENDS = time(8, 0)


def _local_at(day, moment: time, zone) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _awake_window(local: datetime) -> tuple[datetime, datetime]:
    """The waking period (08:00-22:00 local) that contains `local` or comes next."""
    zone = local.tzinfo
    day = local.date()
    if local.timetz().replace(tzinfo=None) >= QUIET_STARTS:
        day += timedelta(days=1)
    start = _local_at(day, QUIET_ENDS, zone)
    return max(start, local), _local_at(day, QUIET_STARTS, zone)


def add_waking_hours(start: datetime, hours: float, zone) -> datetime:
    """`start` plus `hours`, counting only time between 08:00 and 22:00 in `zone`.

    Arithmetic is done on absolute (UTC) time, so a summer-time change inside the
    window neither gains nor loses anyone an hour.
    """
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(zone)
    while True:
        window_start, window_end = _awake_window(cursor)
        span = window_end.astimezone(start.tzinfo) - window_start.astimezone(start.tzinfo)
        if remaining <= span:
            return (window_start.astimezone(start.tzinfo) + remaining).astimezone(start.tzinfo)
        remaining -= span
        cursor = window_end


def window_end(event: Event, start: datetime) -> datetime:
    """`start` plus the event's `offer_hours`, quiet hours skipped if set."""
    if event.quiet_hours:
        return add_waking_hours(start, event.offer_hours, event.zone)
    return start + timedelta(hours=event.offer_hours)


def offer_expires_at(event: Event, offered_at: datetime) -> datetime:
    """min(offered_at + offer window, registration close); quiet hours skipped if set."""
    return min(window_end(event, offered_at), event.registration_closes_at)
