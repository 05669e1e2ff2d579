"""A real SMTP sink on a loopback port, and reading the messages it received."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.02, message: str = ""):
    """Poll `predicate` until it is truthy or `timeout` passes (then fail the test)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or f"condition not met within {timeout} s")
        time.sleep(interval)


class SMTPSink:
    """A real SMTP server on a loopback port that keeps every message it receives.

    Used as a context manager, it listens inside the `with` block only.
    """

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        #: What `email.policy.strict` refused in a received message: the test fails on it.
        self.strict_errors: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        problem = strict_problem(envelope.original_content)
        with self._lock:
            self.messages.append(message)
            if problem:
                self.strict_errors.append(f"{message['Subject']}: {problem}")
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        """The first `count` messages to `address`, waiting for them to arrive."""
        wait_until(
            lambda: len(self.to(address)) >= count,
            timeout,
            message=f"expected {count} message(s) to {address}, got {len(self.to(address))}",
        )
        return self.to(address)

    def wait_for_total(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        wait_until(lambda: len(self.messages) >= count, timeout, message=f"expected {count} mails")
        return list(self.messages)


@pytest.fixture
def smtp():
    """A real SMTP sink the app's mail goes to; every message must parse strictly."""
    with SMTPSink() as sink:
        yield sink
    assert sink.strict_errors == [], "email.policy.strict refused a message"


def strict_problem(raw: bytes) -> str | None:
    """Why `email.policy.strict` refuses the message (every header and body read), or None."""
    try:
        message = BytesParser(policy=policy.strict).parsebytes(raw)
        for part in message.walk():
            for _name, value in part.items():
                str(value)  # header values are parsed, and their defects raised, when read
            if not part.is_multipart():
                part.get_content()
    except Exception as error:  # any defect strict parsing raises is the finding
        return f"{type(error).__name__}: {error}"
    return None


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def words_of(message: EmailMessage) -> str:
    """The plain text with its line wrapping undone: sentences to look for in it."""
    return " ".join(text_of(message).split())


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text_of(message))


def link_path(message: EmailMessage, kind: str) -> str:
    """The path of the first link of `kind` ('c' confirm, 'm' manage, 'o' offer) in a mail."""
    for url in links_in(message):
        parts = urlsplit(url)
        if parts.path.startswith(f"/{kind}/"):
            return parts.path
    raise AssertionError(f"no /{kind}/ link in {message['Subject']!r}")
