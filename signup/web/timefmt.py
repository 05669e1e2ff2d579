"""Dates and times as people read them: local to the event, in Norwegian by default."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time

LONG_PATTERNS = {
    "nb": "EEEE d. MMMM y 'kl.' HH:mm",
    "en": "EEEE d MMMM y 'at' HH:mm",
}


def local(moment: datetime, zone: str | ZoneInfo) -> datetime:
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def long_datetime(moment: datetime, zone: str | ZoneInfo, language: str = "nb") -> str:
    """'fredag 20. august 2021 kl. 14:00'."""
    pattern = LONG_PATTERNS.get(language, LONG_PATTERNS["nb"])
    return format_datetime(local(moment, zone), pattern, locale=language)


def clock_time(moment: datetime, zone: str | ZoneInfo, language: str = "nb") -> str:
    """'14:00'."""
    return format_time(local(moment, zone), "HH:mm", locale=language)


def time_span(starts: datetime, ends: datetime, zone: str | ZoneInfo, language: str = "nb") -> str:
    """'fredag 20. august 2021 kl. 14:00–17:00' (or the full end when it is another day)."""
    if local(starts, zone).date() == local(ends, zone).date():
        return f"{long_datetime(starts, zone, language)}–{clock_time(ends, zone, language)}"
    return f"{long_datetime(starts, zone, language)} – {long_datetime(ends, zone, language)}"
