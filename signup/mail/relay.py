"""The mail relay: one SMTP connection to it, what its answers mean, and its health.

`Link` is a sender's connection (through Flask-Mail and its adapter, smtp.py): it greets
the relay (and uses 8BITMIME when offered), dates each message as it goes, and pauses
delivery when the relay cannot be reached.
A refusal with a 5xx code is permanent, a 4xx temporary.

One row says since when the relay has been down and when a sender may try it again. The
pause grows with the failed tries (30 s, 1 min, ... up to 5 min), so a long outage costs
one connection attempt every few minutes and no message any of its attempts.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_mail import BadHeaderError
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..extensions import db
from ..models import RelayStatus
from . import smtp

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


#: What a send may raise: the relay's answers and lost connections, and Flask-Mail's
#: refusal of a message whose headers would smuggle in a line break.
SMTP_ERRORS = (TimeoutError, smtplib.SMTPException, OSError, BadHeaderError)


class Link:
    """One SMTP connection, opened when needed; failing to open it pauses delivery."""

    def __init__(self, database, health: Health):
        self.database = database
        self.health = health
        self.smtp: smtp.TimeoutConnection | None = None
        self.options: list[str] = []

    def open(self) -> bool:
        """Connect if not connected; False (and delivery paused) when the relay is gone."""
        if self.smtp is None:
            try:
                connection = smtp.connect()
                try:
                    self.options = smtp.eight_bit_options(connection)
                except BaseException:
                    smtp.disconnect(connection)
                    raise
                self.smtp = connection
            except SMTP_ERRORS as error:
                pause(self.database, self.health, error)
                return False
            if self.health.down_since is not None:
                resume(self.database, self.health)
                self.health = Health()
        return True

    def send(self, recipient: str, message: bytes, subject: str) -> None:
        """Hand `message` (the bytes built after commit) to the relay, dated now."""
        smtp.send(self.smtp, recipient, message, subject, self.options)

    def close(self) -> None:
        """Let the connection go (a fresh one is opened when needed)."""
        smtp.disconnect(self.smtp)
        self.smtp = None


def refusal_codes(error: Exception) -> list[int]:
    """The SMTP reply codes of a refusal, or [] for an error without one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _text in error.recipients.values()]
    if isinstance(error, smtplib.SMTPResponseException):
        return [error.smtp_code]
    return []


def answers_the_message(error: Exception) -> bool:
    """An answer about this message (a refusal, a bad header), not a broken connection."""
    return isinstance(error, BadHeaderError) or bool(refusal_codes(error))


def refused_for_good(error: Exception) -> bool:
    """A permanent refusal (5xx, such as "no such user"); a 4xx is temporary."""
    return isinstance(error, BadHeaderError) or any(code >= 500 for code in refusal_codes(error))


def describe(error: Exception, with_text: bool = True) -> str:
    """The relay's answer ("550 5.1.1 No such user") for the organiser, or the error's type."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, text = next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:
        return f"{type(error).__name__}: {error}" if with_text else type(error).__name__
    if not with_text:  # the log: the code only, the text may quote the address
        return f"{type(error).__name__} {code}"
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}"
