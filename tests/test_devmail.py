"""The development mail sink: it stops rather than mail into another program's sink."""

import socket

import pytest

from app import create_app
from conftest import free_port
from signup.extensions import db
from signup.mail import devmail


def dev_app(port: int):
    """A development app that would start its own mail sink on `port`."""
    app = create_app(
        {"DEV_MAIL_SINK": True, "MAIL_PORT": port, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with app.app_context():
        db.engine.dispose()
    return app


def test_a_port_held_by_another_smtp_server_stops_the_app_with_a_clear_message(smtp):
    with pytest.raises(devmail.MailPortTaken) as stopped:
        dev_app(smtp.port)

    assert f"127.0.0.1:{smtp.port}" in str(stopped.value)
    assert "MAIL_PORT=" in str(stopped.value)
    assert smtp.messages == []


def test_a_port_held_by_a_program_that_is_not_smtp_stops_the_app():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with pytest.raises(devmail.MailPortTaken):
            dev_app(listener.getsockname()[1])


def test_a_second_process_of_the_same_instance_shares_its_sink():
    port = free_port()
    first = dev_app(port)
    controller = devmail.start_sink(first)
    try:
        second = dev_app(port)
        assert devmail.start_sink(second) is None
        assert "/dev/mailbox" in [rule.rule for rule in second.url_map.iter_rules()]
    finally:
        controller.stop()
