"""The app as production starts it: from the environment, with safe cookies and no dev sink."""

from __future__ import annotations

import runpy

import pytest
from flask import request

import config
from app import create_app
from conftest import PRODUCTION_SECRET_KEY, ROOT
from signup.extensions import db

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": PRODUCTION_SECRET_KEY,
    "MAIL_DEFAULT_SENDER": "Påmelding <pamelding@example.org>",
}
#: Left unset, so their production defaults apply.
UNSET = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "SCHEDULER",
    "PROXY_COUNT",
    "PROXY_TRUST_HOST",
    "RATELIMIT_STORAGE_URI",
    "BASE_URL",
    "TRUSTED_HOSTS",
    "SECRET_KEY_FALLBACKS",
)


@pytest.fixture
def production_app(tmp_path, monkeypatch):
    """create_app() reading a production environment, on an SQLite file."""

    def build(**overrides: str):
        for name in UNSET:
            monkeypatch.delenv(name, raising=False)
        for name, value in {**PRODUCTION, **overrides}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
        application = create_app()
        with application.app_context():
            db.create_all()
        return application

    return build


def test_short_or_missing_secret_key_is_refused_outside_development(production_app):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        production_app(SECRET_KEY="too-short")
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        production_app(SECRET_KEY="")


def example_setting(name: str) -> str:
    """The value deploy/env.example gives `name`."""
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.partition("=")[2]
    raise AssertionError(f"deploy/env.example sets no {name}")


@pytest.mark.parametrize(
    "placeholder",
    [
        "change-me-python-c-import-secrets-print-secrets-token_urlsafe-48",
        "CHANGE-ME-to-a-long-random-value-of-at-least-32-chars",
        "please-changeme-0123456789abcdefghijklmnopqrstuvwxyz",
    ],
)
def test_placeholder_secret_key_is_refused_like_a_short_one(production_app, placeholder):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        production_app(SECRET_KEY=placeholder)
    with pytest.raises(config.ConfigError, match="SECRET_KEY_FALLBACKS"):
        production_app(SECRET_KEY_FALLBACKS=placeholder)


def test_the_example_env_file_holds_no_secret_key_that_starts_production(production_app):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        production_app(SECRET_KEY=example_setting("SECRET_KEY"))
    assert production_app().config["SECRET_KEY"] == PRODUCTION_SECRET_KEY


def test_production_refuses_to_start_without_mail_default_sender(production_app):
    with pytest.raises(config.ConfigError, match="MAIL_DEFAULT_SENDER"):
        production_app(MAIL_DEFAULT_SENDER="")
    assert example_setting("MAIL_DEFAULT_SENDER")
    sender = production_app(MAIL_DEFAULT_SENDER=example_setting("MAIL_DEFAULT_SENDER"))
    assert sender.config["MAIL_DEFAULT_SENDER"] == "Påmelding <pamelding@example.no>"


def test_session_cookie_is_secure_httponly_and_samesite(production_app):
    app = production_app()
    client = app.test_client()

    response = client.get("/organiser/login")

    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]


def test_no_dev_mail_sink_or_mailbox_and_no_embedded_scheduler(production_app):
    app = production_app()
    assert app.config["DEV_MAIL_SINK"] is False
    assert app.config["SCHEDULER"] == "off"
    assert app.test_client().get("/dev/mailbox").status_code == 404
    assert "signup_scheduler" not in app.extensions


def test_plain_http_is_served_and_proxy_headers_are_honoured_only_when_told(production_app):
    seen: list[tuple[str, str]] = []
    for count in ("0", "1"):
        app = production_app(PROXY_COUNT=count)
        app.before_request(lambda: seen.append((request.scheme, request.remote_addr)) and None)
        response = app.test_client().get(
            "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        )
        assert response.status_code == 200  # never a redirect to https of its own
    assert seen == [("http", "127.0.0.1"), ("https", "203.0.113.9")]


PUBLIC_HOST = "pamelding.example.no"


@pytest.mark.parametrize("trust_forwarded_host", ["0", "1"])
def test_redirects_never_name_a_host_the_client_sent(production_app, trust_forwarded_host):
    app = production_app(
        PROXY_COUNT="1", PROXY_TRUST_HOST=trust_forwarded_host, BASE_URL=f"https://{PUBLIC_HOST}"
    )
    client = app.test_client()
    proxied = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}

    normal = client.get("/organiser", headers=proxied)
    forged = client.get("/organiser", headers={**proxied, "X-Forwarded-Host": "evil.example"})
    direct = client.get("/organiser", headers={"Host": "evil.example"})

    assert normal.status_code == 308
    assert normal.headers["Location"] == f"https://{PUBLIC_HOST}/organiser/"
    for response in (forged, direct):
        assert "evil.example" not in response.headers.get("Location", "")
        assert response.status_code in (308, 400)
    assert direct.status_code == 400


def test_hsts_is_sent_only_when_base_url_is_https(production_app):
    secure = production_app(BASE_URL=f"https://{PUBLIC_HOST}", PROXY_COUNT="1")
    response = secure.test_client().get(
        "/", headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = production_app().test_client().get("/")
    assert plain.status_code == 200
    assert "Strict-Transport-Security" not in plain.headers


def test_web_listens_on_loopback_only_with_worker_timeouts_behind_a_buffering_proxy(
    monkeypatch,
):
    monkeypatch.delenv("PORT", raising=False)
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8000"
    assert 0 < settings["graceful_timeout"] <= settings["timeout"] <= 60
    for launcher in ("Procfile", "pamelding-web.service"):
        lines = (ROOT / "deploy" / launcher).read_text().splitlines()
        web = [line for line in lines if line.startswith(("web:", "ExecStart="))]
        assert web, launcher
        for line in web:
            assert "--config deploy/gunicorn.conf.py" in line and "--bind" not in line, line
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Running in production") :]
    for directive in ("proxy_pass http://127.0.0.1:8000;", "proxy_buffering on;", "log_format"):
        assert directive in production
