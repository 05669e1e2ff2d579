"""Fixtures: the app on a real SQLite file (or PostgreSQL), a real SMTP sink, a settable clock."""

from __future__ import annotations

import functools
import os
import re
import secrets
import socket
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, insert, text

from app import create_app
from signup import clock
from signup.core import admission, signups
from signup.core.eventfile import default_briefing_at
from signup.extensions import db, limiter
from signup.mail import worker
from signup.models import (
    Event,
    GroupCheck,
    MessageState,
    OutboxMessage,
    PriorityGroup,
    Registration,
    State,
)

OSLO = ZoneInfo("Europe/Oslo")
#: Where the tests' clock starts: a Monday morning in Oslo, well before the meeting.
START = datetime(2031, 3, 3, 9, 0, tzinfo=OSLO)
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
#: The database every ordinary test runs on: "sqlite" (default) or "postgresql".
DEFAULT_BACKEND = os.environ.get("TEST_BACKEND", "sqlite")
BASE_URL = "http://localhost"
#: Every log record of the run is checked for the tests' personal data (tests/log_privacy.py).
pytest_plugins = ["log_privacy"]


def pytest_sessionstart(session) -> None:
    """Compile the message catalogues when a .po is newer than its .mo (make setup does too)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


def free_port() -> int:
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
    """A real SMTP server on a loopback port that keeps every message it receives."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

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


@pytest.fixture
def smtp():
    sink = SMTPSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def frozen_clock():
    """The app's clock, frozen at START; tests move it with clock.advance()."""
    clock.set_now(START)
    yield clock
    clock.reset()


@functools.cache
def _postgresql_problem() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    if not PG_URL:
        return "TEST_DATABASE_URL is not set (make test sets it; see README)"
    try:
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # any driver or network error means: not available
        return f"PostgreSQL at TEST_DATABASE_URL is not reachable: {type(error).__name__}"
    return None


def _database_url(tmp_path, backend: str) -> str:
    if backend == "postgresql":
        if problem := _postgresql_problem():
            pytest.skip(f"PostgreSQL test skipped: {problem}")
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def empty_database_url(tmp_path, backend: str) -> str:
    """The test database with nothing in it (not even the migrations' version table)."""
    url = _database_url(tmp_path, backend)
    if backend == "postgresql":
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return url


def make_app(tmp_path, smtp_port: int, backend: str = "sqlite", fresh: bool = True, **overrides):
    """An app on the test database; `fresh=False` joins the database another app made."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path, backend),
            "BASE_URL": BASE_URL,
            "MAIL_PORT": smtp_port,
            **overrides,
        }
    )
    with app.app_context():
        if backend == "postgresql" and fresh:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
    limiter.reset()
    return app


@pytest.fixture(params=[DEFAULT_BACKEND])
def backend(request) -> str:
    """The database under test; a test parametrizes it to run on both."""
    return request.param


@pytest.fixture
def app(tmp_path, smtp, frozen_clock, backend):
    """The app on a fresh database, with its delivery worker sending to `smtp`."""
    application = make_app(tmp_path, smtp.port, backend)
    worker.start_worker(application)
    with application.app_context():
        yield application
        db.session.remove()
    worker.stop_worker(application)
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def create_event(**values) -> Event:
    """An event starting in two weeks (by the app's clock) with two groups, committed."""
    starts = values.pop("starts_at", clock.now() + timedelta(days=14))
    groups = values.pop("groups", [("medlem", "Medlem", 1), ("andre", "Andre", 2)])
    zone = ZoneInfo(values.get("timezone", "Europe/Oslo"))
    event = Event(
        slug=values.pop("slug", f"mote-{len(db.session.scalars(db.select(Event)).all()) + 1}"),
        title=values.pop("title", "Temamøte industri"),
        venue=values.pop("venue", "Store auditorium, Kunnskapsparken Finnsnes"),
        description=values.pop("description", "Et møte om industri."),
        starts_at=starts,
        ends_at=values.pop("ends_at", starts + timedelta(hours=3)),
        registration_closes_at=values.pop("registration_closes_at", starts),
        briefing_at=values.pop("briefing_at", default_briefing_at(starts, zone)),
        capacity=values.pop("capacity", 10),
        **values,
    )
    event.groups = [PriorityGroup(key=k, label=label, rank=rank) for k, label, rank in groups]
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def make_event(app):
    """Factory: an event starting in two weeks with two groups (rank 1 and rank 2)."""
    return create_event


@pytest.fixture
def sign_up(app):
    """Factory: an unconfirmed registration made the way the form makes it."""

    def factory(event: Event, email: str, group: str = "medlem", **details) -> Registration:
        chosen = next(g for g in event.groups if g.key == group)
        fields = {
            "name": details.pop("name", email.split("@")[0].title()),
            "email": email,
            "organisation": details.pop("organisation", "Finnfjord AS"),
            "phone": details.pop("phone", ""),
            "dietary": details.pop("dietary", ""),
        }
        signups.sign_up(event, chosen, fields)
        return signups.find(event, email)

    return factory


@pytest.fixture
def confirmed(sign_up):
    """Factory: a registration confirmed through the admission rules; returns it fresh."""

    def factory(event: Event, email: str, group: str = "medlem", **details) -> Registration:
        registration = sign_up(event, email, group, **details)
        return admission.confirm(registration).registration

    return factory


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit_signup(client, event: Event, email: str, group: str = "medlem", **fields):
    """Fill and post the sign-up form as a browser would; returns the response."""
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "name": "Kari Nordmann",
        "email": email,
        "organisation": "Finnfjord AS",
        "group": group,
        "phone": "",
        "dietary": "",
        "consent": "y",
        "reference_code": "",
    }
    data.update(fields)
    return client.post(f"/events/{event.slug}/", data=data)


# -- shared helpers added for the issue 2 and 3 tests ------------------------------------


def count_rows(model, *conditions) -> int:
    """How many rows of `model` (matching `conditions`) the database holds right now."""
    # End the session's transaction: an open SQLite read keeps seeing its old snapshot.
    db.session.rollback()
    query = db.select(db.func.count()).select_from(model)
    if conditions:
        query = query.where(*conditions)
    return db.session.scalar(query)


def fresh(registration: Registration) -> Registration:
    """The registration as the database holds it now (other sessions may have changed it)."""
    db.session.rollback()
    return db.session.get(Registration, registration.id)


def press(client, html: str, button: str, **fields):
    """Post the form on `html` whose submit button reads `button`, as a browser would."""
    for form in re.findall(r"<form\b.*?</form>", html, re.DOTALL):
        if re.search(rf">\s*{re.escape(button)}\s*</button>", form):
            action = re.search(r'action="([^"]+)"', form).group(1)
            hidden = {}
            for tag in re.findall(r"<input\b[^>]*>", form):
                attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
                if attrs.get("type") == "hidden":
                    hidden[attrs["name"]] = attrs.get("value", "")
            return client.post(action, data={**hidden, **fields})
    raise AssertionError(f"no form with a {button!r} button on the page")


# -- organiser dashboard helpers (added with the dashboard) ------------------------------

ORGANISER_EMAIL = "arrangor@profilgruppa.no"
ORGANISER_PASSWORD = "riktig-hest-batteri-stift"


@pytest.fixture
def organiser(app):
    """An organiser account, made the way the CLI makes it."""
    from signup.core.accounts import create_organiser

    return create_organiser(ORGANISER_EMAIL, ORGANISER_PASSWORD)


def log_in(client, email: str = ORGANISER_EMAIL, password: str = ORGANISER_PASSWORD):
    """Post the login form as a browser would; returns the response."""
    page = client.get("/organiser/login").get_data(as_text=True)
    return client.post(
        "/organiser/login",
        data={"csrf_token": csrf_from(page), "email": email, "password": password},
    )


@pytest.fixture
def organiser_client(client, organiser):
    """A test client logged in as `organiser`."""
    assert log_in(client).status_code == 303
    return client


# -- production-readiness helpers (issue 6) ----------------------------------------------

#: The test SMTP sink's own logger (aiosmtpd); it logs what it receives, which is its job.
SINK_LOGGER = "mail.log"


def app_log_text(caplog) -> str:
    """Every captured log line except the test sink's, messages and exception text."""
    lines = []
    for record in caplog.records:
        if record.name == SINK_LOGGER or record.name.startswith(SINK_LOGGER + "."):
            continue
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


#: The project folder: where gunicorn and `flask --app app` run from in subprocess tests.
ROOT = Path(__file__).resolve().parent.parent
#: A production-grade key (48 characters) for subprocesses and the apps that share their data.
PRODUCTION_SECRET_KEY = "production-test-key-0123456789abcdefghijklmnopqr"


def venv_command(name: str) -> str:
    """A console script of the virtualenv the tests run in (gunicorn, flask)."""
    return str(Path(sys.executable).parent / name)


def production_env(database_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    """The environment of a production process, pointed at the test database and sink."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "MAIL_"))}
    env.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": PRODUCTION_SECRET_KEY,
            "DATABASE_URL": database_url,
            "BASE_URL": BASE_URL,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_DEFAULT_SENDER": "Påmelding <pamelding@example.org>",
            "SCHEDULER": "off",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def database_url(tmp_path, backend: str) -> str:
    """The URL of the test database for `backend` (skips when PostgreSQL is unavailable)."""
    return _database_url(tmp_path, backend)


# -- bulk data for the dashboard's size tests (moved here when paging was added) ----------

#: The states `fill` deals out in turn: registration n gets STATES[n % 5].
STATES = [State.ADMITTED, State.WAITLISTED, State.OFFERED, State.CANCELLED, State.UNCONFIRMED]


def fill(event, count: int) -> None:
    """Insert `count` registrations (and an email each) directly, in bulk, for speed."""
    start = clock.now() - timedelta(days=20)
    rows = []
    for number in range(count):
        state = STATES[number % len(STATES)]
        group = event.groups[number % len(event.groups)]
        moment = start + timedelta(minutes=13 * number)
        rows.append(
            {
                "event_id": event.id,
                "group_id": group.id,
                "state": state,
                "name": f"Deltaker {number:05d}",
                "email": f"d{number}@firma{number % 7}.no",
                "email_normalised": f"d{number}@firma{number % 7}.no",
                "organisation": f"Firma {number % 7} AS",
                "phone": "+47 900 00 000",
                "dietary": "",
                "language": "nb",
                "created_at": moment,
                "consented_at": moment,
                "confirm_expires_at": moment + timedelta(days=2),
                "confirmed_at": None if state == State.UNCONFIRMED else moment,
                "queued_at": moment,
                "offer_expires_at": clock.now() + timedelta(days=1)
                if state == State.OFFERED
                else None,
                "checked_in_at": moment if state == State.ADMITTED and number % 2 else None,
                "group_check": GroupCheck.UNVERIFIED if group.rank == 1 else GroupCheck.NOT_NEEDED,
            }
        )
    db.session.execute(insert(Registration), rows)
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                "event_id": event.id,
                "kind": "confirm",
                "recipient": row["email"],
                "subject": "Bekreft",
                "message_id": f"<{secrets.token_hex(8)}@test>",
                "message": b"x",
                "state": MessageState.SENT,
                "created_at": row["created_at"],
                "next_attempt_at": row["created_at"],
            }
            for row in rows
        ],
    )
    db.session.commit()


# -- the confirm link opens a page with one button (issue 12.2) --------------------------


def confirm_by_link(client, mail: EmailMessage):
    """Open the confirm link of `mail` and press its one button, as a person would."""
    page = client.get(link_path(mail, "c"))
    assert page.status_code == 200, page.status_code
    return press(client, page.get_data(as_text=True), "Bekreft påmeldingen")
