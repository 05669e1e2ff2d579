"""The settable clock: every "now" in the app comes from signup.clock, and tests move it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from signup import clock

OSLO = ZoneInfo("Europe/Oslo")
#: Where the tests' clock starts: a Monday morning in Oslo, well before the meeting.
START = datetime(2031, 3, 3, 9, 0, tzinfo=OSLO)


def utc(*args) -> datetime:
    """A moment in UTC: utc(2031, 3, 3, 8, 0)."""
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def frozen_clock():
    """The app's clock, frozen at START; tests move it with clock.advance()."""
    clock.set_now(START)
    yield clock
    clock.reset()
