"""The app on a real database: a SQLite file per test, or the PostgreSQL at TEST_DATABASE_URL."""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from app import create_app
from signup.extensions import db, limiter
from signup.mail import worker

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
#: The database every ordinary test runs on: "sqlite" (default) or "postgresql".
DEFAULT_BACKEND = os.environ.get("TEST_BACKEND", "sqlite")
BASE_URL = "http://localhost"


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


def database_url(tmp_path, backend: str) -> str:
    """The URL of the test database for `backend` (skips when PostgreSQL is unavailable)."""
    if backend == "postgresql":
        if problem := _postgresql_problem():
            pytest.skip(f"PostgreSQL test skipped: {problem}")
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def empty_database_url(tmp_path, backend: str) -> str:
    """The test database with nothing in it (not even the migrations' version table)."""
    url = database_url(tmp_path, backend)
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
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path, backend),
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


@contextmanager
def serving(application: Flask):
    """The app with its delivery worker running, inside its app context; all closed after."""
    worker.start_worker(application)
    with application.app_context():
        yield application
        db.session.remove()
    worker.stop_worker(application)
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(params=[DEFAULT_BACKEND])
def backend(request) -> str:
    """The database under test; a test parametrizes it to run on both."""
    return request.param


@pytest.fixture
def app(tmp_path, smtp, frozen_clock, backend):
    """The app on a fresh database, with its delivery worker sending to `smtp`."""
    with serving(make_app(tmp_path, smtp.port, backend)) as application:
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
