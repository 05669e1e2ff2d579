"""With RATELIMIT_STORAGE_URI set, the per-address limits count in Redis, shared by workers."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import pytest
from limits.storage import RedisStorage

from app import create_app
from conftest import create_event, make_app, submit_signup
from signup.extensions import limiter

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
