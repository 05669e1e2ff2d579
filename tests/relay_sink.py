"""A real SMTP relay (aiosmtpd) that refuses chosen recipients and records MAIL FROM options.

A test module uses it in place of the plain sink by defining its `smtp` fixture with
`answering_sink()`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from conftest import SMTPSink

NO_SUCH_USER = "550 5.1.1 Mottakeren finnes ikke"
MAILBOX_BUSY = "451 4.2.0 Prøv igjen senere"


class AnsweringSink(SMTPSink):
    """The test sink, answering chosen recipients with a refusal; it records what it saw."""

    def __init__(self, offer_8bitmime: bool = True):
        super().__init__()
        self.answers: dict[str, str] = {}
        self.tries: Counter[str] = Counter()
        self.mail_options: list[list[str]] = []
        self.offer_8bitmime = offer_8bitmime

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.tries[address] += 1
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.mail_options.append(list(envelope.mail_options))
        return await super().handle_DATA(server, session, envelope)

    def start(self) -> None:
        # aiosmtpd offers 8BITMIME unless it decodes the data as text.
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, decode_data=not self.offer_8bitmime
        )
        self._controller.start()


@contextmanager
def answering_sink(offer_8bitmime: bool = True) -> Iterator[AnsweringSink]:
    """A running AnsweringSink, stopped afterwards."""
    sink = AnsweringSink(offer_8bitmime)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
