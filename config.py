"""Settings from the environment (and a `.env` file, for development).

Every setting the operator may change is read here and documented in the README.
Production has no insecure defaults: without a real SECRET_KEY (not a placeholder) or a
MAIL_DEFAULT_SENDER the app refuses to start.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

MIN_SECRET_KEY_LENGTH = 32
#: Text found only in placeholders (deploy/env.example, tutorials), never in a random key.
PLACEHOLDER_MARKERS = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "token_urlsafe",
    "secret-key-here",
)
#: How long an organiser's session lasts without a request (the cookie and its signature).
SESSION_LIFETIME_HOURS = 12
#: Host names every installation answers to besides BASE_URL's: checks from the machine itself.
LOOPBACK_HOSTS = ["localhost", "127.0.0.1"]
#: Flask-Limiter: when Redis cannot be reached, count in this process's memory and log a
#: warning, instead of refusing every sign-up and login.
LIMITER_SETTINGS = {
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # Should the storage fail where no fallback is tried (a deduction after the response),
    # log it and go on rather than answer 500.
    "RATELIMIT_SWALLOW_ERRORS": True,
    # A Redis that hangs must not hang the request: give up quickly and fall back.
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}


class ConfigError(RuntimeError):
    """The environment does not describe a runnable application."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: str, kind=int):
    value = os.environ.get(name, "").strip() or default
    try:
        return kind(value)
    except ValueError as error:
        raise ConfigError(f"{name} must be a number, not {value!r}") from error


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _dev_secret_key(instance_path: Path) -> str:
    """A random key kept in instance/ so development links survive a restart."""
    key_file = instance_path / "dev-secret-key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def is_placeholder(key: str) -> bool:
    """True for a key copied from an example rather than generated."""
    lowered = key.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def _checked_key(name: str, key: str) -> str:
    if len(key) < MIN_SECRET_KEY_LENGTH or is_placeholder(key):
        raise ConfigError(
            f"{name} must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters, not a placeholder, for example: "
            'python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    return key


def _secret_key(app_env: str, instance_path: Path) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if not key and app_env == "development":
        return _dev_secret_key(instance_path)
    return _checked_key("SECRET_KEY", key)


def _mail_sender(development: bool) -> str:
    sender = os.environ.get("MAIL_DEFAULT_SENDER", "").strip()
    if sender:
        return sender
    if development:
        return "Påmelding <pamelding@localhost>"
    raise ConfigError(
        "MAIL_DEFAULT_SENDER must be set to the From: address the relay accepts, "
        "for example: Påmelding <pamelding@example.no>"
    )


def _shared() -> dict:
    """Settings that are the same in every environment, tests included."""
    lifetime = timedelta(hours=SESSION_LIFETIME_HOURS)
    return {
        # Flask checks the signature's age against this on every request; the organiser's
        # session is refreshed on each request, so this is the lifetime without activity.
        "PERMANENT_SESSION_LIFETIME": lifetime,
        "REMEMBER_COOKIE_DURATION": lifetime,
        **LIMITER_SETTINGS,
        # werkzeug's method (scrypt, N=2^15, r=8, p=1); each hash names its own method and
        # cost, so a stronger one later still checks the hashes made before.
        "PASSWORD_HASH": "scrypt",
    }


def _trusted_hosts(base_url: str) -> list[str]:
    """The Host names requests may carry: BASE_URL's, loopback, and TRUSTED_HOSTS if given."""
    own = urlsplit(base_url).hostname or "localhost"
    return [own, *LOOPBACK_HOSTS, *_list("TRUSTED_HOSTS")]


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    load_dotenv(override=False)
    instance = Path(instance_path)
    app_env = os.environ.get("APP_ENV", "production").strip() or "production"
    if app_env not in {"development", "production"}:
        raise ConfigError("APP_ENV must be 'development' or 'production'")
    development = app_env == "development"
    mail_server = os.environ.get("MAIL_SERVER", "")
    dev_mail_sink = development and not mail_server
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return {
        **_shared(),
        "APP_ENV": app_env,
        "SECRET_KEY": _secret_key(app_env, instance),
        "SECRET_KEY_FALLBACKS": [
            _checked_key("SECRET_KEY_FALLBACKS", key) for key in _list("SECRET_KEY_FALLBACKS")
        ],
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'signup.sqlite3'}",
        "BASE_URL": base_url,
        # Host headers that match none of these get 400, so no redirect names another host.
        "TRUSTED_HOSTS": None if development else _trusted_hosts(base_url),
        "TIMEZONE": os.environ.get("TIMEZONE", "Europe/Oslo"),
        "SCHEDULER": os.environ.get("SCHEDULER", "embedded" if development else "off"),
        "DEV_MAIL_SINK": dev_mail_sink,
        "MAIL_SERVER": mail_server or "127.0.0.1",
        "MAIL_PORT": _number("MAIL_PORT", "8025" if dev_mail_sink else "25"),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": _mail_sender(development),
        "MAIL_TIMEOUT": _number("MAIL_TIMEOUT", "10", float),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Empty: the defaults in signup/web/public/limits.py.
        "SIGNUPS_PER_CLIENT": os.environ.get("SIGNUPS_PER_CLIENT", ""),
        "SIGNUPS_PER_EVENT": os.environ.get("SIGNUPS_PER_EVENT", ""),
        "PROXY_COUNT": _number("PROXY_COUNT", "0"),
        # X-Forwarded-Host is believed only when the operator says the proxy sets it.
        "PROXY_TRUST_HOST": _flag("PROXY_TRUST_HOST", False),
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "SESSION_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
    }


def for_tests(instance_path: str) -> dict:
    """A complete configuration for tests: development-like, no background services."""
    return {
        **_shared(),
        "APP_ENV": "development",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SECRET_KEY_FALLBACKS": [],
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'test.sqlite3'}",
        "BASE_URL": "http://127.0.0.1:5000",
        "TIMEZONE": "Europe/Oslo",
        "SCHEDULER": "off",
        "BACKGROUND": False,
        "DEV_MAIL_SINK": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 25,
        "MAIL_DEFAULT_SENDER": "Påmelding <pamelding@example.org>",
        "MAIL_TIMEOUT": 5.0,
        # Tests send real mail to a real SMTP sink; Flask-Mail would suppress it when TESTING.
        "MAIL_SUPPRESS_SEND": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PROXY_COUNT": 0,
        "PROXY_TRUST_HOST": False,
        # Most organiser tests make an account and log in: the same scrypt at 1/32 of the
        # cost (a test of the hash itself asks for the real one).
        "PASSWORD_HASH": "scrypt:1024:8:1",
    }
