"""Production-like processes (gunicorn, `flask scheduler`), their environment and logs; threads."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from .databases import BASE_URL

#: The test SMTP sink's own logger (aiosmtpd); it logs what it receives, which is its job.
SINK_LOGGER = "mail.log"
#: The project folder: where gunicorn and `flask --app app` run from in subprocess tests.
ROOT = Path(__file__).resolve().parent.parent.parent
#: A production-grade key (48 characters) for subprocesses and the apps that share their data.
PRODUCTION_SECRET_KEY = "production-test-key-0123456789abcdefghijklmnopqr"


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


def in_threads(calls, timeout: float = 60.0) -> None:
    """Start every call in `calls` in its own thread at once, and wait for all to finish."""
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
