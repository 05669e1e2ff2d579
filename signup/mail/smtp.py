"""The adapter to Flask-Mail: what its public API has no setting for, in one place.

Mail goes out through Flask-Mail's `Connection.send(message)` (bad-header check, the
`email_dispatched` signal, MAIL_MAX_EMAILS, MAIL_SUPPRESS_SEND) on a connection opened as
`Mail.connect()` opens one. Three things Flask-Mail cannot do are added here:

- A socket timeout (MAIL_TIMEOUT). `Connection.configure_host` opens `smtplib.SMTP`
  without one, so a relay that accepts and never answers would hang the sender.
  `TimeoutConnection` opens it as Flask-Mail does (SSL, STARTTLS, login, MAIL_DEBUG),
  with the timeout.
- Sending stored bytes. The outbox builds each email once and keeps its bytes;
  `StoredMessage` is a Flask-Mail `Message` whose `as_bytes()` (what `Connection.send`
  hands to the relay) gives those bytes, with the Date of the moment of sending: a
  message sent again after an outage must not carry an old Date (spam filters score it).
- BODY=8BITMIME when the relay offers it (our bodies are 8-bit UTF-8), through the
  message's public `mail_options`; the relay is greeted first to learn whether it does.

tests/test_smtp_adapter.py pins each of these, so a Flask-Mail upgrade that changes what
they rest on fails there.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from datetime import UTC, datetime
from email.utils import format_datetime, parseaddr

from flask import current_app
from flask_mail import Connection, Message

from ..clock import now

EIGHT_BIT = "BODY=8BITMIME"


class TimeoutConnection(Connection):
    """Flask-Mail's connection, opening its SMTP host with a socket timeout."""

    def configure_host(self) -> smtplib.SMTP:
        """The host as Flask-Mail's `configure_host` makes it, with MAIL_TIMEOUT."""
        state = self.mail
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        kind = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = kind(state.server, state.port, timeout=timeout)
        try:
            host.set_debuglevel(int(state.debug))
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


def connect() -> TimeoutConnection:
    """An open connection to the relay, as `with mail.connect()` gives (with the timeout).

    Its `host` is None under MAIL_SUPPRESS_SEND, as in Flask-Mail.
    """
    return TimeoutConnection(current_app.extensions["mail"]).__enter__()


def eight_bit_options(connection: Connection) -> list[str]:
    """[BODY=8BITMIME] when the relay offers 8BITMIME (it is greeted now), else []."""
    host = connection.host
    if host is None:
        return []
    host.ehlo_or_helo_if_needed()
    return [EIGHT_BIT] if host.has_extn("8bitmime") else []


def disconnect(connection: Connection | None) -> None:
    """Say goodbye to the relay if it still listens, and close the socket either way."""
    if connection is None or connection.host is None:
        return
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.__exit__(None, None, None)  # Flask-Mail's QUIT
    connection.host.close()


_DATE_HEADER = re.compile(rb"^Date:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", re.MULTILINE | re.IGNORECASE)


class StoredMessage(Message):
    """A built email as Flask-Mail sends it: the stored bytes, dated when it goes out."""

    def __init__(self, stored: bytes, recipient: str, subject: str, mail_options: list[str]):
        super().__init__(
            subject=subject or "",
            recipients=[recipient],
            sender=current_app.config["MAIL_DEFAULT_SENDER"],
            date=now().timestamp(),
            mail_options=list(mail_options),
        )
        self.stored = stored

    def as_bytes(self) -> bytes:
        """The stored bytes with their Date header set to this message's date."""
        head, blank, body = self.stored.partition(b"\r\n\r\n")
        date = b"Date: " + format_datetime(datetime.fromtimestamp(self.date, UTC)).encode()
        return _DATE_HEADER.sub(lambda _match: date, head, count=1) + blank + body


def send(
    connection: Connection, recipient: str, stored: bytes, subject: str, options: list[str]
) -> None:
    """Send `stored` (the bytes built after commit) to `recipient` through Flask-Mail."""
    envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    connection.send(StoredMessage(stored, recipient, subject, options), envelope_from)
