"""The Nu Html Checker (vnu-jar from npm, run with the machine's Java) over pages and emails.

The Java checker is slow to start (seconds), so one JVM serves the whole session: vnu's own
HTTP service (nu.validator.servlet.Main) on a loopback port, started by `start()` and stopped
by `stop()`. Each document is POSTed to it, so every error is still reported by the test that
produced the document. Documents already found valid (by content) are not checked again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import free_port

HERE = Path(__file__).resolve().parent
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: How long the service may take to start (a loaded machine: tens of seconds).
START_SECONDS = 180
#: Documents already found valid in this session (by content), not checked twice.
_VALID: set[str] = set()


def missing() -> str | None:
    """Why vnu cannot run here, or None when it can."""
    if not VNU.exists():
        return "vnu-jar is not installed (make setup runs npm ci in tests/e2e)"
    if not shutil.which("java"):
        return "Java is not installed (vnu-jar needs it; make setup installs it with apt-get)"
    return None


class Service:
    """vnu's HTTP service in a JVM of its own, listening on a free loopback port."""

    def __init__(self):
        self.url = f"http://127.0.0.1:{free_port()}/"
        self.log = tempfile.TemporaryFile(prefix="vnu-")  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [
                "java",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU),
                "nu.validator.servlet.Main",
                self.url.rsplit(":", 1)[1].strip("/"),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.ready = False

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def wait_ready(self) -> None:
        """Wait until the service answers (it reads its schemas first)."""
        deadline = time.monotonic() + START_SECONDS
        while not self.ready:
            if self.process.poll() is not None:
                raise AssertionError(f"vnu did not start:\n{self._log_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    self.ready = True
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"vnu did not answer:\n{self._log_text()}") from None
                time.sleep(0.1)

    def messages(self, html: bytes) -> list[dict]:
        """vnu's messages on one HTML document (read as UTF-8, as the app sends it)."""
        self.wait_ready()
        request = urllib.request.Request(
            self.url + "?out=json",
            data=html,
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())["messages"]
        except (OSError, ValueError, KeyError) as error:
            raise AssertionError(f"vnu did not check the document: {error!r}") from error

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


_service: Service | None = None
_service_lock = threading.Lock()


def start() -> Service:
    """The session's vnu service, started now if it is not running yet (it starts in the
    background: the first check waits for it)."""
    global _service
    with _service_lock:
        if _service is None:
            _service = Service()
        return _service


def stop() -> None:
    global _service
    with _service_lock:
        if _service is not None:
            _service.stop()
            _service = None


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


def errors_in(documents: list[tuple[str, bytes]]) -> list[str]:
    """vnu's errors over `documents` (label, HTML bytes); [] when all are valid."""
    service = start()
    found = []
    for label, html in documents:
        digest = hashlib.sha256(html).hexdigest()
        if digest in _VALID:
            continue
        errors = [
            f"{label} line {message.get('lastLine', '?')}: {message['message']}"
            f" [{message.get('extract', '')}]"
            for message in service.messages(html)
            if message.get("type") in ("error", "non-document-error")
        ]
        if errors:
            found += errors
        else:
            _VALID.add(digest)
    return found
