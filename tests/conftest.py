"""Fixtures: the app on a real SQLite file (or PostgreSQL), a real SMTP sink, a settable clock.

They live in tests/support/, one module per thing provided; this file registers them and
re-exports the helpers, so `from conftest import ...` keeps working.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# The support modules are pytest plugins too: their asserts are rewritten however loaded.
pytest.register_assert_rewrite("support")

from support.clock import OSLO, START, utc
from support.databases import (
    BASE_URL,
    DEFAULT_BACKEND,
    PG_URL,
    database_url,
    empty_database_url,
    make_app,
    serving,
)
from support.factories import STATES, count_rows, create_event, fill, fresh
from support.http import confirm_by_link, csrf_from, press, submit_signup
from support.mailbox import (
    SMTPSink,
    free_port,
    html_of,
    link_path,
    links_in,
    text_of,
    wait_until,
    words_of,
)
from support.organiser import ORGANISER_EMAIL, ORGANISER_PASSWORD, log_in
from support.processes import (
    PRODUCTION_SECRET_KEY,
    ROOT,
    SINK_LOGGER,
    app_log_text,
    in_threads,
    production_env,
    venv_command,
)

__all__ = [
    "BASE_URL",
    "DEFAULT_BACKEND",
    "OSLO",
    "ORGANISER_EMAIL",
    "ORGANISER_PASSWORD",
    "PG_URL",
    "PRODUCTION_SECRET_KEY",
    "ROOT",
    "SINK_LOGGER",
    "SMTPSink",
    "START",
    "STATES",
    "app_log_text",
    "confirm_by_link",
    "count_rows",
    "create_event",
    "csrf_from",
    "database_url",
    "empty_database_url",
    "fill",
    "free_port",
    "fresh",
    "html_of",
    "link_path",
    "links_in",
    "log_in",
    "make_app",
    "press",
    "production_env",
    "in_threads",
    "serving",
    "submit_signup",
    "text_of",
    "utc",
    "venv_command",
    "wait_until",
    "words_of",
]

pytest_plugins = [
    # Every log record of the run is checked for the tests' personal data.
    "log_privacy",
    "support.clock",
    "support.mailbox",
    "support.databases",
    "support.factories",
    "support.organiser",
    # Routes' URL builders and templates compiled once per process, not once per app.
    "support.compiled",
]


def pytest_sessionstart(session) -> None:
    """Compile the message catalogues when a .po is newer than its .mo (make setup does too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


def pytest_collection_modifyitems(config, items) -> None:
    """A test without the `backend` fixture never opens the database under test (its app,
    if any, is on a SQLite file of its own): the PostgreSQL pass would run it again on the
    same SQLite, so it is marked `once`."""
    for item in items:
        if "backend" not in item.fixturenames:
            item.add_marker(pytest.mark.once)
