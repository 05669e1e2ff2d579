"""A pooled PostgreSQL connection dropped while idle is replaced before a request uses it.

Connections are pinged only after sitting idle (signup/database.py), not on every
checkout: the ping is a round trip, and a confirm checks out three times.
"""

from __future__ import annotations

import gc
import time
import warnings

import pytest
from sqlalchemy import create_engine, text

from conftest import PG_URL, create_event, make_app
from signup import database
from signup.extensions import db


def _backend_pid() -> int:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pid: int) -> None:
    killer = create_engine(PG_URL)
    with killer.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_connection_dropped_while_idle_is_replaced(tmp_path, smtp, frozen_clock, backend):
    app = make_app(tmp_path, smtp.port, backend, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1})
    with app.app_context():
        create_event(slug="tromsø-møte", title="Møte i Tromsø for Bjørn og Åse")
        db.session.remove()
        dropped = _backend_pid()
        _terminate(dropped)  # a server restart or an idle timeout, as the pool sees it
        time.sleep(getattr(database, "IDLE_PING_SECONDS", 0.0) + 0.2)
        page = app.test_client().get("/events/tromsø-møte/")
        assert page.status_code == 200
        assert "Møte i Tromsø" in page.get_data(as_text=True)
        assert _backend_pid() != dropped
        db.engine.dispose()
    with warnings.catch_warnings():
        # The dropped connection's driver object warns when it is collected.
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
