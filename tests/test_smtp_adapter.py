"""The Flask-Mail adapter (signup/mail/smtp.py) pinned against Flask-Mail's own code.

Mail goes out through Flask-Mail's `Connection.send`; the adapter adds a socket timeout,
sends the stored bytes dated anew, and asks for 8BITMIME. Each test here fails if a
Flask-Mail upgrade changes what the adapter rests on: `Connection.__enter__` opening the
host with `configure_host`, `send` handing `message.as_bytes()` and `mail_options` to the
relay, checking headers, signalling `email_dispatched` and reconnecting after
MAIL_MAX_EMAILS.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_mail import BadHeaderError, email_dispatched
from relay_sink import answering_sink

from conftest import make_app
from signup.extensions import mail
from signup.mail import compose, render, smtp


@pytest.fixture
def smtp_sink():
    with answering_sink() as sink:
        yield sink


def built(address: str = "kari@example.no") -> bytes:
    rendered = render.RenderedEmail("Du har plass på Værøy", "Hei Åse,\n", "<p>Hei Åse,</p>")
    return compose.message(rendered, address, compose.new_message_id()).as_bytes()


def test_the_connection_has_the_timeout_and_keeps_mail_debug(tmp_path, smtp_sink):
    app = make_app(tmp_path, smtp_sink.port, MAIL_TIMEOUT=3, MAIL_DEBUG=1)
    with app.app_context():
        connection = smtp.connect()
        try:
            assert connection.host.timeout == 3
            assert connection.host.debuglevel == 1
            assert connection.host.sock.gettimeout() == 3
        finally:
            smtp.disconnect(connection)


def test_flask_mail_sends_the_stored_bytes_dated_now(tmp_path, smtp_sink, frozen_clock):
    app = make_app(tmp_path, smtp_sink.port)
    with app.app_context():
        stored = built()
        frozen_clock.advance(timedelta(hours=5))
        connection = smtp.connect()
        options = smtp.eight_bit_options(connection)
        with mail.record_messages() as dispatched:
            smtp.send(connection, "kari@example.no", stored, "Du har plass på Værøy", options)
        smtp.disconnect(connection)

    [received] = smtp_sink.wait_for("kari@example.no")
    [options_seen] = smtp_sink.mail_options
    assert "BODY=8BITMIME" in options_seen
    assert received["Date"].datetime == frozen_clock.now().replace(microsecond=0)
    head, body = stored.split(b"\r\n\r\n", 1)
    assert received.as_bytes(policy=received.policy.clone(linesep="\r\n")).endswith(body)
    assert len(dispatched) == 1 and isinstance(dispatched[0], smtp.StoredMessage)


def test_a_bad_header_is_refused_before_the_relay_sees_it(tmp_path, smtp_sink):
    app = make_app(tmp_path, smtp_sink.port)
    with app.app_context():
        connection = smtp.connect()
        with pytest.raises(BadHeaderError):
            smtp.send(connection, "kari@example.no", built(), "Emne\nBcc: alle@example.no", [])
        smtp.disconnect(connection)
    assert smtp_sink.messages == []


def test_the_connection_made_again_after_max_emails_has_the_timeout(tmp_path, smtp_sink):
    app = make_app(tmp_path, smtp_sink.port, MAIL_MAX_EMAILS=2, MAIL_TIMEOUT=4)
    with app.app_context():
        connection = smtp.connect()
        first_host = connection.host
        for n in range(3):
            smtp.send(connection, f"p{n}@example.no", built(f"p{n}@example.no"), "Emne", [])
        assert connection.host is not first_host
        assert connection.host.timeout == 4
        smtp.disconnect(connection)
    assert len(smtp_sink.wait_for_total(3)) == 3


def test_suppressed_sending_sends_nothing_and_still_signals(tmp_path, smtp_sink):
    app = make_app(tmp_path, smtp_sink.port, MAIL_SUPPRESS_SEND=True)
    seen = []
    with app.app_context(), email_dispatched.connected_to(lambda app, message: seen.append(1)):
        connection = smtp.connect()
        assert connection.host is None
        smtp.send(
            connection, "kari@example.no", built(), "Emne", smtp.eight_bit_options(connection)
        )
        smtp.disconnect(connection)
    assert seen == [1] and smtp_sink.messages == []
