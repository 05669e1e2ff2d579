"""The one source of "now". Tests move it; nothing else calls datetime.now()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or let it run again with None."""
    global _frozen
    _frozen = moment.astimezone(UTC) if moment is not None else None


def advance(delta: timedelta) -> None:
    """Move the clock forward, frozen or running."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset = _offset + delta


def reset() -> None:
    """Back to real time."""
    global _frozen, _offset
    _frozen = None
    _offset = timedelta(0)
