"""The mail relay's health as the senders find it: while it cannot be reached, delivery pauses.

One row says since when the relay has been down and when a sender may try it again. The
pause grows with the failed tries (30 s, 1 min, ... up to 5 min), so a long outage costs
one connection attempt every few minutes and no message any of its attempts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from .clock import now
from .extensions import db
from .models import RelayStatus

log = logging.getLogger(__name__)

RELAY_ROW = 1
FIRST_PAUSE_SECONDS = 30
MAX_PAUSE_SECONDS = 300


@dataclass(frozen=True)
class Health:
    """The relay as last found: down since when (None: up), and when to try it again."""

    down_since: datetime | None = None
    retry_at: datetime | None = None
    failures: int = 0

    def paused(self, moment: datetime) -> bool:
        """Whether senders leave the relay alone at `moment`."""
        return self.retry_at is not None and self.retry_at > moment


def read(connection: Connection) -> Health:
    """The relay's health, read on a sender's connection (the row is made when missing)."""
    row = connection.execute(
        select(RelayStatus.down_since, RelayStatus.retry_at, RelayStatus.failures).where(
            RelayStatus.id == RELAY_ROW
        )
    ).first()
    connection.rollback()
    if row is None:
        try:
            connection.execute(insert(RelayStatus).values(id=RELAY_ROW, failures=0))
            connection.commit()
        except IntegrityError:  # another sender made it first
            connection.rollback()
        return Health()
    return Health(*row)


def pause(writer, health: Health, error: Exception) -> datetime:
    """The relay could not be reached: pause delivery, longer after each failed try."""
    moment = now()
    failures = health.failures + 1
    seconds = min(FIRST_PAUSE_SECONDS * 2 ** (failures - 1), MAX_PAUSE_SECONDS)
    retry_at = moment + timedelta(seconds=seconds)
    writer.write(
        update(RelayStatus)
        .where(RelayStatus.id == RELAY_ROW)
        .values(
            down_since=health.down_since or moment,
            retry_at=retry_at,
            failures=failures,
            last_error=f"{type(error).__name__}: {error}"[:1000],
        )
    )
    log.warning(
        "outbox delivery paused: the mail relay cannot be reached (%s); next try at %s",
        type(error).__name__,
        retry_at.isoformat(timespec="seconds"),
    )
    return retry_at


def resume(writer, health: Health) -> None:
    """The relay answers again: end the pause."""
    writer.write(
        update(RelayStatus)
        .where(RelayStatus.id == RELAY_ROW)
        .values(down_since=None, retry_at=None, failures=0, last_error=None)
    )
    since = health.down_since.isoformat(timespec="seconds") if health.down_since else "?"
    log.warning("outbox delivery resumed: the mail relay answers again (down since %s)", since)


def outage() -> RelayStatus | None:
    """The relay's row while it is down (for the dashboard), else None."""
    status = db.session.get(RelayStatus, RELAY_ROW)
    return status if status is not None and status.down_since is not None else None
