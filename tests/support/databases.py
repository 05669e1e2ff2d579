"""The app on a real database: a SQLite file per test, or the PostgreSQL at TEST_DATABASE_URL.

Every test starts on an empty database with the models' schema, made quickly: a SQLite test
gets a copy of a file the schema was created in once per session; on PostgreSQL the schema is
created once per session and then only emptied between tests (rows deleted, id sequences
restarted), unless it no longer holds exactly what create_all made (a test dropped it, ran
migrations on it, or added a trigger): then it is dropped and created again.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from app import create_app
from signup.extensions import db, limiter
from signup.mail import worker

#: The configured PostgreSQL database; the tests use PG_URL, which is this one, or under
#: pytest-xdist (`-n 2`) a database of each worker's own beside it, made when missing.
CONFIGURED_PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def worker_url(url: str, worker: str | None) -> str:
    """`url` with the xdist worker's name ("gw0") appended to the database name."""
    if not url or not worker:
        return url
    address = make_url(url)
    return address.set(database=f"{address.database}_{worker}").render_as_string(
        hide_password=False
    )


PG_URL = worker_url(CONFIGURED_PG_URL, os.environ.get("PYTEST_XDIST_WORKER"))
#: The database every ordinary test runs on: "sqlite" (default) or "postgresql".
DEFAULT_BACKEND = os.environ.get("TEST_BACKEND", "sqlite")
BASE_URL = "http://localhost"


@functools.cache
def _postgresql_problem() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    if not PG_URL:
        return "TEST_DATABASE_URL is not set (make test sets it; see README)"
    try:
        if PG_URL != CONFIGURED_PG_URL:
            _create_worker_database()
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # any driver or network error means: not available
        return f"PostgreSQL at TEST_DATABASE_URL is not reachable: {type(error).__name__}"
    return None


def _create_worker_database() -> None:
    """This xdist worker's database, made through the configured one when it is missing."""
    name = make_url(PG_URL).database
    engine = create_engine(CONFIGURED_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


def database_url(tmp_path, backend: str) -> str:
    """The URL of the test database for `backend` (skips when PostgreSQL is unavailable)."""
    if backend == "postgresql":
        if problem := _postgresql_problem():
            pytest.skip(f"PostgreSQL test skipped: {problem}")
        return PG_URL
    return f"sqlite:///{_sqlite_path(tmp_path)}"


def _sqlite_path(tmp_path) -> Path:
    return Path(tmp_path) / "test.sqlite3"


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite file holding the models' empty schema, made once per session."""
    folder = Path(tempfile.mkdtemp(prefix="signup-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "schema.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()  # no journal left beside it: the file alone is the database
    return path


#: Everything the public schema holds (tables, columns, defaults, constraints, indexes,
#: triggers, functions, types), one row per thing, as text.
SCHEMA_OBJECTS = """
SELECT 'class', c.relname::text, c.relkind::text || ' ' || c.relrowsecurity::text
  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'column', c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) || ' '
       || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, tgenabled::text
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'function', p.oid::regprocedure::text, md5(p.prosrc)
  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
UNION ALL
SELECT 'type', t.typname, t.typtype::text
  FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace
UNION ALL
SELECT 'enum', t.typname, e.enumlabel
  FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
 WHERE t.typnamespace = 'public'::regnamespace
"""

#: What the PostgreSQL schema this process made holds; None until made (or once dropped).
_pg_schema: set[tuple[str, str, str]] | None = None


def _pg_objects(connection) -> set[tuple[str, str, str]]:
    return {tuple(row) for row in connection.execute(text(SCHEMA_OBJECTS))}


def _fresh_postgresql() -> None:
    """An empty database with the models' schema, in the app context's PostgreSQL."""
    global _pg_schema
    with db.engine.begin() as connection:
        if _pg_schema is not None and _pg_objects(connection) == _pg_schema:
            sequences = connection.execute(
                text(
                    "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).scalars()
            connection.exec_driver_sql(
                "; ".join(
                    [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]
                    + [f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences]
                )
            )
            return
        _pg_schema = None
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.create_all()
    with db.engine.connect() as connection:
        _pg_schema = _pg_objects(connection)


def empty_database_url(tmp_path, backend: str) -> str:
    """The test database with nothing in it (not even the migrations' version table)."""
    global _pg_schema
    url = database_url(tmp_path, backend)
    if backend == "postgresql":
        _pg_schema = None
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return url


def make_app(tmp_path, smtp_port: int, backend: str = "sqlite", fresh: bool = True, **overrides):
    """An app on the test database; `fresh=False` joins the database another app made."""
    copied = False
    if backend == "sqlite" and not _sqlite_path(tmp_path).exists():
        shutil.copyfile(_sqlite_template(), _sqlite_path(tmp_path))
        copied = True
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
            _fresh_postgresql()
        elif not copied:
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
