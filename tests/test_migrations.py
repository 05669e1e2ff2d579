"""Migrations keep the data: outbox rows written before the message column still send."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app import create_app
from conftest import create_event, empty_database_url
from signup.core import signups
from signup.extensions import db
from signup.mail import compose, outbox, render

BEFORE_BUILT_MESSAGES = "3ce5376fc3fb"
BEFORE_INTENTS = "c4a7e2f91d3b"


def test_outbox_rows_from_before_built_messages_are_built_and_sent(tmp_path, smtp, backend):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, backend),
            "MAIL_PORT": smtp.port,
        }
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", BEFORE_BUILT_MESSAGES]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO outbox_message (kind, recipient, subject, body_text, body_html,"
                    " ics, state, attempts, created_at, next_attempt_at) VALUES ('admitted',"
                    " 'kari@example.no', 'Du har plass på Temamøte', 'Hei Kari, du har plass.',"
                    " '<p>Hei Kari, du har <b>plass</b>.</p>', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR"
                    "\r\n', 'queued', 0, :at, :at)"
                ),
                {"at": datetime(2021, 8, 1, 10, 0)},
            )
        db.engine.dispose()

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        assert outbox.deliver_due() == 1
        db.engine.dispose()

    [mail] = smtp.wait_for("kari@example.no")
    assert mail["Subject"] == "Du har plass på Temamøte"
    # Dated when it went out, not when the row was written (an old Date scores as spam).
    assert mail["Date"].datetime > datetime(2021, 8, 1, 10, 0, tzinfo=UTC)
    assert mail.get_body(("plain",)).get_content().strip() == "Hei Kari, du har plass."
    assert "<b>plass</b>" in mail.get_body(("html",)).get_content()
    [ics] = list(mail.iter_attachments())
    assert (ics.get_filename(), ics.get_content_type()) == ("invitasjon.ics", "text/calendar")


def test_downgrade_gives_the_parts_back(tmp_path, backend):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, backend)})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        rendered = render.RenderedEmail("Emne", "Teksten\n", "<p>HTML</p>")
        built = compose.message(rendered, "ola@example.no", compose.new_message_id())
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO outbox_message (kind, recipient, subject, message_id, message,"
                    " state, attempts, created_at, next_attempt_at) VALUES ('confirm',"
                    " 'ola@example.no', 'Emne', :mid, :message, 'sent', 1, :at, :at)"
                ),
                {"mid": built.msgId, "message": built.as_bytes(), "at": datetime(2021, 8, 1)},
            )
        db.engine.dispose()

    downgraded = runner.invoke(args=["db", "downgrade", BEFORE_BUILT_MESSAGES])
    assert downgraded.exit_code == 0, downgraded.output
    with app.app_context():
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT body_text, body_html, ics FROM outbox_message")
            ).one()
        db.engine.dispose()
    assert row.body_text.strip() == "Teksten"
    assert row.body_html.strip() == "<p>HTML</p>"
    assert row.ics is None


def test_events_from_before_the_status_column_are_published(tmp_path, backend):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, backend)})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "5b1e0c2d7a4f"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO event (slug, title, venue, description, timezone, starts_at,"
                    " ends_at, capacity, registration_closes_at, offer_hours, quiet_hours,"
                    " reserved_seats, briefing_at, retention_days, briefing) VALUES ('temamote',"
                    " 'Temamøte på Skaland', 'Kunnskapsparken', '', 'Europe/Oslo', :at, :at, 60,"
                    " :at, 24, true, 0, :at, 10, '')"
                ),
                {"at": datetime(2021, 8, 20, 12, 0)},
            )
        db.engine.dispose()

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT status FROM event")).scalar_one() == "published"
        db.engine.dispose()
    assert runner.invoke(args=["db", "downgrade", "5b1e0c2d7a4f"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def _insert_built_row(app, message_id: str, recipient: str = "ola@example.no") -> None:
    with app.app_context():
        rendered = render.RenderedEmail("Du har plass på Værøy", "Hei Åse,\n", "<p>Hei Åse,</p>")
        built = compose.message(rendered, recipient, message_id)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO outbox_message (kind, recipient, subject, message_id, message,"
                    " state, attempts, created_at, next_attempt_at) VALUES ('admitted',"
                    " :recipient, 'Du har plass på Værøy', :mid, :message, 'queued', 0, :at, :at)"
                ),
                {
                    "recipient": recipient,
                    "mid": message_id,
                    "message": built.as_bytes(),
                    "at": datetime(2021, 8, 1, 10, 0),
                },
            )
        db.engine.dispose()


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_rows_built_before_intents_still_send_and_downgrade_waits_for_unbuilt_ones(
    tmp_path, smtp, backend, frozen_clock
):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, backend),
            "MAIL_PORT": smtp.port,
        }
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", BEFORE_INTENTS]).exit_code == 0
    _insert_built_row(app, "<built-before@example.no>")
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    with app.app_context():
        assert outbox.deliver_due() == 1
        event = create_event(title="Temamøte på Ærøy")
        signups.sign_up(event, event.groups[0], {"name": "Åse Ødegård", "email": "ase@example.no"})
        db.session.remove()
        db.engine.dispose()
    [old] = smtp.wait_for("ola@example.no")
    assert old["Message-ID"] == "<built-before@example.no>"

    refused = runner.invoke(args=["db", "downgrade", BEFORE_INTENTS])
    assert refused.exit_code != 0
    assert "1 outbox message(s) are not built yet" in refused.output
    # The later migrations may have been undone before the refusal (SQLite runs DDL outside
    # the transaction): the app sends with its own schema, as the operator would run it.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        assert outbox.deliver_due() == 1
        db.engine.dispose()
    downgraded = runner.invoke(args=["db", "downgrade", BEFORE_INTENTS])
    assert downgraded.exit_code == 0, downgraded.output
    with app.app_context():
        with db.engine.connect() as connection:
            subjects = connection.execute(text("SELECT subject FROM outbox_message")).scalars()
            assert sorted(subjects) == [
                "Bekreft påmeldingen til Temamøte på Ærøy",
                "Du har plass på Værøy",
            ]
        db.engine.dispose()
