"""The mail relay: one SMTP connection to it, what its answers mean, and its health.

`Link` is a sender's connection: it greets the relay (and uses 8BITMIME when offered),
dates each message as it goes, and pauses delivery when the relay cannot be reached.
A refusal with a 5xx code is permanent, a 4xx temporary.

One row says since when the relay has been down and when a sender may try it again. The
pause grows with the failed tries (30 s, 1 min, ... up to 5 min), so a long outage costs
one connection attempt every few minutes and no message any of its attempts.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parseaddr

from flask import current_app
from flask_mail import Connection as MailConnection
from flask_mail import sanitize_address
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..extensions import db
from ..models import RelayStatus

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


class TimeoutConnection(MailConnection):
    """Flask-Mail's connection, with a socket timeout so a stuck relay cannot hang us."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        state = self.mail
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        try:
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


SMTP_ERRORS = (TimeoutError, smtplib.SMTPException, OSError)


class Link:
    """One SMTP connection, opened when needed; failing to open it pauses delivery."""

    def __init__(self, database, health: Health):
        self.database = database
        self.health = health
        self.smtp: TimeoutConnection | None = None

    def open(self) -> bool:
        """Connect if not connected; False (and delivery paused) when the relay is gone."""
        if self.smtp is None:
            try:
                self.smtp = _connect()
            except SMTP_ERRORS as error:
                pause(self.database, self.health, error)
                return False
            if self.health.down_since is not None:
                resume(self.database, self.health)
                self.health = Health()
        return True

    def send(self, recipient: str, message: bytes) -> None:
        """Hand `message` to the relay over the open connection."""
        _transmit(self.smtp, recipient, message)

    def close(self) -> None:
        """Let the connection go (a fresh one is opened when needed)."""
        _disconnect(self.smtp)
        self.smtp = None


def _connect() -> TimeoutConnection:
    """A connection to the relay (its `host` is None when MAIL_SUPPRESS_SEND).

    It greets the relay at once, to learn whether it takes 8-bit bodies (8BITMIME).
    """
    smtp = TimeoutConnection(current_app.extensions["mail"]).__enter__()
    smtp.mail_options = []
    smtp.envelope_from = envelope_address(parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1])
    if smtp.host is not None:
        try:
            smtp.host.ehlo_or_helo_if_needed()
        except BaseException:
            smtp.host.close()
            raise
        if smtp.host.has_extn("8bitmime"):
            smtp.mail_options = ["BODY=8BITMIME"]
    return smtp


def _transmit(smtp: TimeoutConnection, recipient: str, message: bytes) -> None:
    """Hand `message` (the bytes built at enqueue) to the relay, dated now."""
    if smtp.host is None:  # MAIL_SUPPRESS_SEND, as Flask-Mail does
        return
    recipients = [envelope_address(recipient)]
    smtp.host.sendmail(smtp.envelope_from, recipients, _dated(message), smtp.mail_options)


_DATE_HEADER = re.compile(rb"^Date:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", re.MULTILINE | re.IGNORECASE)


def _dated(message: bytes) -> bytes:
    """`message` with its Date header set to now; its Message-ID stays."""
    # A message sent again (after an outage, or by an organiser) must not carry the
    # moment it was built: spam filters score an old Date.
    head, blank, body = message.partition(b"\r\n\r\n")
    date = b"Date: " + format_datetime(now()).encode()
    return _DATE_HEADER.sub(lambda _match: date, head, count=1) + blank + body


def _disconnect(smtp: TimeoutConnection | None) -> None:
    """Say goodbye to the relay if it still listens."""
    if smtp is not None and smtp.host is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.host.quit()
        smtp.host.close()


def refusal_codes(error: Exception) -> list[int]:
    """The SMTP reply codes of a refusal, or [] for an error without one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _text in error.recipients.values()]
    if isinstance(error, smtplib.SMTPResponseException):
        return [error.smtp_code]
    return []


def refused_for_good(error: Exception) -> bool:
    """A permanent refusal (5xx, such as "no such user"); a 4xx is temporary."""
    return any(code >= 500 for code in refusal_codes(error))


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


def envelope_address(address: str) -> str:
    """An address as SMTP takes it: a domain in letters like ø goes in its ASCII form."""
    return address if address.isascii() else sanitize_address(address)
