"""The Nu Html Checker (vnu-jar from npm, run with the machine's Java) over pages and emails.

The Java checker is slow to start, so documents are collected and checked in one batch: one
JVM per test, over every HTML page the server sent and the HTML part of every email received.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Documents already found valid in this session (by content), not checked twice.
_VALID: set[str] = set()


def missing() -> str | None:
    """Why vnu cannot run here, or None when it can."""
    if not VNU.exists():
        return "vnu-jar is not installed (make setup runs npm ci in tests/e2e)"
    if not shutil.which("java"):
        return "Java is not installed (vnu-jar needs it; make setup installs it with apt-get)"
    return None


class PageRecorder:
    """WSGI middleware keeping every HTML page the app sends, as sent, with its path."""

    def __init__(self, app):
        self.app = app
        self.pages: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        seen = {}

        def recording_start(status, headers, exc_info=None):
            seen["html"] = any(
                name.lower() == "content-type" and value.startswith("text/html")
                for name, value in headers
            )
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start)
        if not seen.get("html"):  # Flask has called start_response by now
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        with self._lock:
            self.pages.append((environ.get("PATH_INFO", "/"), body))
        return [body]


def _name(index: int, label: str) -> str:
    return f"{index:03d}-" + re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")[:60] + ".html"


def errors_in(documents: list[tuple[str, bytes]]) -> list[str]:
    """vnu's errors over `documents` (label, HTML bytes), in one run; [] when all are valid."""
    todo = []
    for label, html in documents:
        digest = hashlib.sha256(html).hexdigest()
        if digest not in _VALID:
            todo.append((label, html, digest))
    if not todo:
        return []
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        names = {}
        for index, (label, html, digest) in enumerate(todo):
            path = Path(folder) / _name(index, label)
            path.write_bytes(html)
            names[path.name] = (label, digest)
        run = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--stdout", *sorted(names)],
            cwd=folder,
            capture_output=True,
            timeout=300,
        )
    if not run.stdout.strip():
        raise AssertionError(f"vnu did not run: {run.stderr.decode(errors='replace')[:2000]}")
    messages = json.loads(run.stdout)["messages"]
    found, failed = [], set()
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        label, digest = names.get(Path(message.get("url", "")).name, ("?", None))
        failed.add(digest)
        line = message.get("lastLine", "?")
        found.append(f"{label} line {line}: {message['message']} [{message.get('extract', '')}]")
    _VALID.update(digest for _label, _html, digest in todo if digest not in failed)
    return found
