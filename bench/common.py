"""Shared pieces of the benchmarks: a product server under gunicorn, the sink, tables."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SLUG = "bench-rush"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: list[str], rows: list[list]) -> str:
    """A plain text table, right-aligned numbers."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


class Sink:
    """The SMTP sink process (bench/sink.py); records what arrived, for whom, when."""

    def __init__(self, links: bool = False, on_message: Callable | None = None):
        self.port = free_port()
        self.on_message = on_message
        self.count = 0
        self.last_at = 0.0
        self.by_recipient: dict[str, list[tuple[float, list[str]]]] = {}
        self._lock = threading.Lock()
        args = [sys.executable, "-m", "bench.sink", str(self.port)] + (["--links"] if links else [])
        self.process = subprocess.Popen(
            args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            at, recipient, found = line.split()
            links = [] if found == "-" else found.split(",")
            with self._lock:
                self.count += 1
                self.last_at = float(at)
                self.by_recipient.setdefault(recipient, []).append((float(at), links))
            if self.on_message:
                self.on_message(float(at), recipient, links)

    def wait_total(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def event_toml(capacity: int, slug: str = SLUG) -> str:
    return f"""
slug = "{slug}"
title = "Benchmark-møte"
venue = "Store auditorium"
timezone = "Europe/Oslo"
starts_at = 2021-08-20T14:00:00
ends_at = 2021-08-20T17:00:00
capacity = {capacity}
description = "Et møte for måling."
briefing = "Hold avstand."

[[groups]]
key = "medlem"
label = "Medlem"
rank = 1

[[groups]]
key = "andre"
label = "Andre"
rank = 2
"""


class Site:
    """A fresh database with the schema and one event, and the environment to serve it."""

    def __init__(self, capacity: int, db_url: str | None, smtp_port: int, port: int):
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-"))
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.db_url = db_url or f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        self.env = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": self.db_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_DEFAULT_SENDER": "Påmelding <pamelding@example.org>",
            "SCHEDULER": "off",
            "BASE_URL": self.url,
            # A rush of thousands from one benchmark client: lift the per-client and
            # per-event limits, which would otherwise (rightly) refuse it.
            "SIGNUPS_PER_CLIENT": "1000000/minute",
            "SIGNUPS_PER_EVENT": "1000000/minute",
        }
        if self.db_url.startswith("postgresql"):
            _reset_postgresql(self.db_url)
        flask = [str(BIN / "flask"), "--app", "app"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True
        )
        toml = self.tmp / "event.toml"
        toml.write_text(event_toml(capacity), "utf-8")
        subprocess.run(
            [*flask, "event", "load", "--demo", str(toml)],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _reset_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


class Gunicorn:
    """gunicorn with the production settings of the README (4 workers), on loopback."""

    def __init__(
        self,
        target: str,
        port: int,
        env: dict | None = None,
        workers: int = 4,
        extra: list[str] | None = None,
    ):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        args = [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            *(extra or []),
            target,
        ]
        self.process = subprocess.Popen(args, cwd=ROOT, env=env or dict(os.environ))
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError as error:
                if getattr(error, "code", None):  # an HTTP error is an answer
                    break
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from error
                time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def peak_rss_mb(self) -> list[float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: The CSRF token of the first form on a page.
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def confirm_in_client(client, path: str) -> int:
    """Open a confirm link in a Flask test client and press its one button; the POST's status.

    The link only opens a page: its POST confirms (mail scanners follow links).
    """
    page = client.get(path).get_data(as_text=True)
    match = CSRF.search(page)
    if match is None:  # already confirmed: the page is the status, nothing to press
        return 200
    return client.post(path, data={"csrf_token": match.group(1)}).status_code


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes, from /proc/<pid>/stat (a process gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / CLOCK_TICKS


def postgres_pids(database: str) -> list[int]:
    """The server's backends for `database` and its own helper processes (WAL writer...).

    Helpers serve every database on the server, so others' work shows in them too.
    """
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "postgres":
                continue
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        words = args.split()
        backend = len(words) >= 3 and words[0] == "postgres:" and "(" in args
        if not backend or f" {database} " in f" {args} ":
            pids.append(int(proc.name))
    return pids


class CpuMeter:
    """CPU seconds of the gunicorn workers and of PostgreSQL, read before and after a phase."""

    def __init__(self, server: Gunicorn, db_url: str):
        self.workers = server.worker_pids()
        self.database = db_url.rsplit("/", 1)[1] if db_url.startswith("postgresql") else None

    def read(self) -> tuple[float, float]:
        """(workers' CPU seconds, PostgreSQL's CPU seconds; 0 on SQLite)."""
        db_cpu = cpu_seconds(postgres_pids(self.database)) if self.database else 0.0
        return cpu_seconds(self.workers), db_cpu
