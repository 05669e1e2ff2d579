"""When a message fails for good: the relay's answers, and a relay that cannot be reached.

A real aiosmtpd relay answers chosen recipients with a permanent (550) or temporary (451)
refusal; the outage is a closed port. A 5xx fails the message at once, a 4xx is retried
with backoff until MAX_ATTEMPTS, and an unreachable relay pauses delivery without
spending any message's attempts, however long it lasts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from relay_sink import MAILBOX_BUSY, NO_SUCH_USER, answering_sink

from conftest import app_log_text, count_rows
from signup.extensions import db
from signup.mail import outbox, relay, worker
from signup.models import MessageState, OutboxMessage


@pytest.fixture
def smtp(request):
    """The relay of these tests; parametrize it with False for one without 8BITMIME."""
    with answering_sink(getattr(request, "param", True)) as sink:
        yield sink


def row_for(address: str) -> OutboxMessage:
    db.session.rollback()
    return db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == address))


@pytest.fixture
def sender(app):
    """Delivery by hand: the worker thread is stopped so each test decides when mail goes."""
    worker.stop_worker(app)
    return outbox.deliver_due


def test_permanent_refusal_fails_the_message_at_once(app, make_event, sign_up, smtp, sender):
    event = make_event(title="Temamøte for Ærøy og Åsgårdstrand")
    smtp.answers["ukjent@example.no"] = NO_SUCH_USER
    sign_up(event, "ukjent@example.no", name="Øystein Æsøy")
    sign_up(event, "kari@example.no", name="Kari Ødegård")

    assert sender() == 1

    failed = row_for("ukjent@example.no")
    assert (failed.state, failed.attempts) == (MessageState.FAILED, 1)
    assert failed.last_error == NO_SUCH_USER
    assert row_for("kari@example.no").state == MessageState.SENT
    assert smtp.tries["ukjent@example.no"] == 1


def test_temporary_refusal_is_retried_until_it_fails_for_good(
    app, make_event, sign_up, smtp, sender, frozen_clock
):
    event = make_event()
    smtp.answers["opptatt@example.no"] = MAILBOX_BUSY
    sign_up(event, "opptatt@example.no", name="Åse Bråthen")

    for attempt in range(1, outbox.MAX_ATTEMPTS):
        sender()
        row = row_for("opptatt@example.no")
        assert (row.state, row.attempts) == (MessageState.RETRYING, attempt)
        assert row.last_error == MAILBOX_BUSY
        frozen_clock.advance(outbox.backoff(attempt) + timedelta(seconds=1))
    sender()

    row = row_for("opptatt@example.no")
    assert (row.state, row.attempts) == (MessageState.FAILED, outbox.MAX_ATTEMPTS)
    assert smtp.tries["opptatt@example.no"] == outbox.MAX_ATTEMPTS
    frozen_clock.advance(timedelta(days=1))
    assert sender() == 0
    assert smtp.tries["opptatt@example.no"] == outbox.MAX_ATTEMPTS


def test_temporary_refusal_then_accepted_is_sent(
    app, make_event, sign_up, smtp, sender, frozen_clock
):
    event = make_event()
    smtp.answers["opptatt@example.no"] = MAILBOX_BUSY
    sign_up(event, "opptatt@example.no", name="Åse Bråthen")
    sender()
    del smtp.answers["opptatt@example.no"]
    frozen_clock.advance(outbox.backoff(1) + timedelta(seconds=1))

    assert sender() == 1
    assert row_for("opptatt@example.no").state == MessageState.SENT
    assert len(smtp.to("opptatt@example.no")) == 1


def test_relay_outage_of_two_days_fails_no_message(
    app, make_event, sign_up, smtp, sender, frozen_clock, caplog
):
    caplog.set_level(logging.INFO)
    event = make_event()
    for n in range(3):
        sign_up(event, f"person{n}@example.no", name=f"Bjørn Ås {n}")
    smtp.stop()  # the relay's port is closed

    tries = 0
    for _hour in range(48):
        assert sender() == 0
        tries += 1
        frozen_clock.advance(timedelta(hours=1))

    assert count_rows(OutboxMessage, OutboxMessage.state == MessageState.FAILED) == 0
    assert count_rows(OutboxMessage, OutboxMessage.attempts > 0) == 0
    db.session.rollback()
    outage = relay.outage()
    assert outage is not None and outage.failures == tries
    assert "outbox delivery paused: the mail relay cannot be reached" in app_log_text(caplog)

    smtp.start()
    frozen_clock.advance(timedelta(minutes=5))
    assert sender() == 3
    db.session.rollback()
    assert relay.outage() is None
    assert "outbox delivery resumed" in app_log_text(caplog)


def test_delivery_pauses_while_the_relay_is_down(
    app, make_event, sign_up, smtp, sender, frozen_clock
):
    event = make_event()
    sign_up(event, "kari@example.no", name="Kari Ødegård")
    smtp.stop()
    assert sender() == 0
    smtp.start()

    # Paused: nobody tries the relay again until the pause is over, not even for new mail.
    sign_up(event, "ola@example.no", name="Ola Ærlig")
    assert sender() == 0
    assert smtp.messages == []
    frozen_clock.advance(timedelta(seconds=relay.FIRST_PAUSE_SECONDS))
    assert sender() == 2


def test_messages_go_out_with_8bitmime_when_the_relay_offers_it(
    app, make_event, sign_up, smtp, sender
):
    sign_up(make_event(title="Temamøte på Værøy"), "kari@example.no", name="Kari Ødegård")

    assert sender() == 1
    [options] = smtp.mail_options
    assert "BODY=8BITMIME" in options


@pytest.mark.parametrize("smtp", [False], indirect=True)
def test_no_8bitmime_option_when_the_relay_does_not_offer_it(
    app, make_event, sign_up, smtp, sender
):
    sign_up(make_event(title="Temamøte på Værøy"), "kari@example.no", name="Kari Ødegård")

    assert sender() == 1
    [options] = smtp.mail_options
    assert not any(option.startswith("BODY=") for option in options)


def test_message_sent_again_gets_a_fresh_date_and_keeps_its_message_id(
    app, make_event, sign_up, smtp, sender, frozen_clock
):
    sign_up(make_event(), "kari@example.no", name="Kari Ødegård")
    built_at = frozen_clock.now()
    smtp.answers["kari@example.no"] = MAILBOX_BUSY
    sender()
    del smtp.answers["kari@example.no"]
    frozen_clock.advance(timedelta(hours=3))

    assert sender() == 1
    [mail] = smtp.to("kari@example.no")
    assert mail["Message-ID"] == row_for("kari@example.no").message_id
    assert mail["Date"].datetime == frozen_clock.now().replace(microsecond=0)
    assert mail["Date"].datetime != built_at.replace(microsecond=0)
    assert len(mail.get_all("Date")) == 1
