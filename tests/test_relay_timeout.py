"""A relay that keeps a message but answers after the sender's timeout.

The sender cannot know whether the relay kept it, so it sends it again on a fresh
connection (at least once, never lost) and says so in its log, by row id only: an
operator reading "sent twice" in a mailbox finds the reason.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from conftest import SMTPSink
from signup.extensions import db
from signup.mail import outbox, worker
from signup.models import MessageState, OutboxMessage

TIMEOUT = 0.3


class LateOnceSink(SMTPSink):
    """Keeps every message; answers the first DATA only after the sender's timeout."""

    def __init__(self):
        super().__init__()
        self.late_next = True

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        reply = await super().handle_DATA(server, session, envelope)
        if self.late_next:
            self.late_next = False
            await asyncio.sleep(TIMEOUT * 3)
        return reply


@pytest.fixture
def smtp():
    with LateOnceSink() as sink:
        yield sink
    assert sink.strict_errors == []


def test_a_send_timed_out_after_the_data_is_sent_again_and_logged(
    app, sign_up, make_event, smtp, caplog
):
    worker.stop_worker(app)  # the test decides when mail goes
    app.config["MAIL_TIMEOUT"] = TIMEOUT
    event = make_event(title="Temamøte på Årøya")
    sign_up(event, "bjorn.aase@example.no", name="Bjørn Åsen")
    caplog.set_level(logging.WARNING, logger="signup.mail.outbox")

    assert outbox.deliver_due() == 1

    copies = smtp.to("bjorn.aase@example.no")
    assert len(copies) == 2, "the relay kept the first try, and the sender could not know"
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]  # a client can fold them
    db.session.rollback()
    row = db.session.scalars(db.select(OutboxMessage)).one()
    assert row.state == MessageState.SENT
    warnings = [r.getMessage() for r in caplog.records if r.name == "signup.mail.outbox"]
    assert warnings == [
        f"outbox message {row.id}: connection lost during the send (SMTPServerDisconnected); "
        "sending again on a fresh one"
    ]
    assert "bjorn" not in warnings[0].lower() and "Åsen" not in warnings[0]
