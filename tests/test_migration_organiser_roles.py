"""The roles migration: accounts that exist become organisers of all events (administrators)."""

from datetime import datetime

from sqlalchemy import select, text

from app import create_app
from conftest import empty_database_url
from signup.extensions import db
from signup.models import Organiser

BEFORE_ROLES = "5b1e0c2d7a4f"


def test_existing_accounts_become_administrators(tmp_path, backend):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, backend)})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", BEFORE_ROLES]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organiser (email, password_hash, created_at, session_version)"
                    " VALUES ('arrangor@profilgruppa.no', 'scrypt:x', :at, 3)"
                ),
                {"at": datetime(2021, 8, 1, 10, 0)},
            )
        db.engine.dispose()

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        organiser = db.session.scalar(select(Organiser))
        assert (organiser.role, organiser.all_events, organiser.is_admin) == (
            "organiser",
            True,
            True,
        )
        assert (organiser.link_number, organiser.recovery_codes, organiser.totp_secret) == (
            0,
            [],
            None,
        )
        assert organiser.session_version == 3
        db.session.remove()
        db.engine.dispose()
    assert runner.invoke(args=["db", "downgrade", BEFORE_ROLES]).exit_code == 0
    with app.app_context():
        db.engine.dispose()
