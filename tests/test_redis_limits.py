"""With RATELIMIT_STORAGE_URI set, the per-address limits count in Redis, shared by workers."""

from __future__ import annotations

import logging
import secrets
from types import SimpleNamespace

import pytest
from limits.storage import RedisStorage

from app import create_app
from conftest import (
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    count_rows,
    create_event,
    free_port,
    log_in,
    make_app,
    submit_signup,
)
from signup.core.accounts import create_organiser
from signup.extensions import db, limiter
from signup.models import Registration

REDIS_URI = "redis://127.0.0.1:6379"


def redis_client():
    """A client for the machine's Redis, or a skip saying why there is none."""
    redis = pytest.importorskip("redis", reason="the redis client is not installed")
    client = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {REDIS_URI} is not reachable: {type(error).__name__}")
    return client


def test_limits_are_counted_in_redis_and_shared_between_app_instances(tmp_path, smtp):
    redis = redis_client()
    # A unique address: its keys are ours alone on a Redis others may share.
    address = f"felles-{secrets.token_hex(6)}@example.no"
    # make_app() resets the limiter, which on Redis would clear everyone's counters: the
    # schema comes from a memory-storage app, the apps under test share its config.
    base = make_app(tmp_path, smtp.port)
    web1 = create_app({**base.config, "RATELIMIT_STORAGE_URI": REDIS_URI})
    try:
        with web1.app_context():
            assert isinstance(limiter.storage, RedisStorage)
            # Requests run outside this context: an app context shared with them would share
            # `g`, and with it one CSRF token between clients.
            event = SimpleNamespace(slug=create_event().slug)
        statuses = [submit_signup(web1.test_client(), event, address).status_code for _ in "12"]
        assert statuses == [303, 303]
        assert redis.keys(f"*{address}*"), "no rate-limit counter for the address in Redis"
        # Another worker process sees the same counters: 3 more links, then refused.
        web2 = create_app(web1.config)
        later = [submit_signup(web2.test_client(), event, address).status_code for _ in "1234"]
        assert later == [303, 303, 303, 429]
    finally:
        for key in redis.keys(f"*{address}*"):
            redis.delete(key)
        create_app({**web1.config, "RATELIMIT_STORAGE_URI": "memory://"})  # limiter back


def test_signup_and_login_go_on_with_in_memory_limits_when_redis_is_down(
    tmp_path, smtp, frozen_clock, caplog, backend
):
    caplog.set_level(logging.WARNING)
    base = make_app(tmp_path, smtp.port, backend)
    # Nothing listens on this port: every Redis command fails at once.
    down = create_app({**base.config, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}"})
    try:
        with down.app_context():
            event = SimpleNamespace(slug=create_event().slug)
            create_organiser(ORGANISER_EMAIL, ORGANISER_PASSWORD)
        client = down.test_client()

        signed_up = submit_signup(client, event, "aase@example.no", name="Åse Ødegård")
        logged_in = log_in(client)

        assert signed_up.status_code == 303
        assert logged_in.status_code == 303
        with down.app_context():
            assert count_rows(Registration) == 1
            db.session.remove()
        assert "falling back to in-memory storage" in caplog.text
        # The limits still hold, counted in this process's memory.
        other = down.test_client()
        wrong = [log_in(other, password="feil-passord-her").status_code for _ in range(6)]
        assert wrong == [422] * 5 + [429]
    finally:
        create_app({**base.config, "RATELIMIT_STORAGE_URI": "memory://"})  # limiter back
        # Flask-Limiter keeps "storage is dead" on the shared limiter until a later health
        # check; other tests must start on the real storage, so clear the private flag.
        limiter._storage_dead = False
        for application in (base, down):
            with application.app_context():
                db.engine.dispose()
