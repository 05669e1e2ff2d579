"""Overbooking under real processes: gunicorn with 4 workers, 200 confirm at once for 50 seats.

The production set-up as deployed: APP_ENV=production, a real SECRET_KEY, SQLite file or
PostgreSQL, each worker's own delivery thread sending to the test's SMTP sink. Repeated
three times per database, each with a fresh event.
"""

from __future__ import annotations

import http.client
import subprocess
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from conftest import (
    PRODUCTION_SECRET_KEY,
    ROOT,
    SMTPSink,
    create_event,
    csrf_from,
    database_url,
    free_port,
    make_app,
    production_env,
    venv_command,
    wait_until,
)
from signup import clock, tokens
from signup.commands.event import status_data
from signup.extensions import db
from signup.models import MessageState, OutboxMessage, Registration, State

pytestmark = [pytest.mark.own_database, pytest.mark.slow]

WORKERS = 4
PEOPLE = 200
SEATS = 50
OUTCOMES = ("admitted", "waitlisted")


def http_get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def open_confirm_page(port: int, path: str) -> tuple[str, str]:
    """GET a confirm link as a browser would: its session cookie and the form's CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        return cookie, csrf_from(page)
    finally:
        connection.close()


def press_confirm(port: int, path: str, cookie: str, csrf: str) -> int:
    """POST the confirm page's one button; returns the HTTP status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = urllib.parse.urlencode({"csrf_token": csrf})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def serving(port: int) -> bool:
    try:
        return http_get(port, "/") == 200
    except OSError:
        return False


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """gunicorn with 4 workers on a loopback port, on a fresh database of the param's kind."""
    folder = tmp_path_factory.mktemp(f"gunicorn-{request.param}")
    url = database_url(folder, request.param)
    sink = SMTPSink()
    sink.start()
    app = make_app(folder, sink.port, request.param, SECRET_KEY=PRODUCTION_SECRET_KEY)
    port = free_port()
    stderr_path = folder / "gunicorn.stderr"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [venv_command("gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
            + ["--graceful-timeout", "5", "app:create_app()"],
            cwd=ROOT,
            env=production_env(url, sink.port),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        wait_until(lambda: serving(port) or process.poll() is not None, timeout=30)
        assert process.poll() is None, stderr_path.read_text()
        yield app, sink, port, stderr_path
    finally:
        process.terminate()
        process.wait(30)
        sink.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def unconfirmed_people(event, count: int) -> list[Registration]:
    """`count` unconfirmed sign-ups, written directly: the confirming is what is tested."""
    expires = clock.now() + timedelta(hours=1)
    people = [
        Registration(
            event=event,
            group=event.groups[n % 2],
            name=f"Gunicorn Person {n}",
            email=f"g{event.id}-{n}@example.no",
            email_normalised=f"g{event.id}-{n}@example.no",
            confirm_expires_at=expires,
            state=State.UNCONFIRMED,
        )
        for n in range(count)
    ]
    db.session.add_all(people)
    db.session.commit()
    return people


def outcome_rows(event_id: int) -> list[OutboxMessage]:
    db.session.rollback()
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(
                OutboxMessage.event_id == event_id, OutboxMessage.kind.in_(OUTCOMES)
            )
        )
    )


@pytest.mark.parametrize("round_number", [1, 2, 3])
def test_200_confirm_at_once_for_50_seats(server, round_number):
    app, sink, port, stderr_path = server
    with app.app_context():
        event = create_event(
            capacity=SEATS, groups=[("medlem", "Medlem", 1), ("andre", "Andre", 1)]
        )
        people = unconfirmed_people(event, PEOPLE)
        paths = [f"/c/{tokens.sign(tokens.CONFIRM, p.public_id)}" for p in people]
        addresses = {p.email for p in people}
        event_id = event.id

        with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
            pages = list(pool.map(lambda path: open_confirm_page(port, path), paths))
            pressed = [(path, *page) for path, page in zip(paths, pages, strict=True)]
            statuses = list(pool.map(lambda item: press_confirm(port, *item), pressed))

        assert Counter(statuses) == {200: PEOPLE}
        db.session.rollback()
        status = status_data(db.session.get(type(event), event_id))
        assert status["counts"]["admitted"] == SEATS
        assert status["counts"]["waitlisted"] == PEOPLE - SEATS
        positions = sorted(r["position"] for r in status["registrations"] if r["position"])
        assert positions == list(range(1, PEOPLE - SEATS + 1))

        wait_until(
            lambda: all(r.state == MessageState.SENT for r in outcome_rows(event_id)),
            timeout=60,
            message="outcome emails were not all sent",
        )
        rows = {r.message_id: r for r in outcome_rows(event_id)}
    outcome_mails = [m for m in list(sink.messages) if m["Message-ID"] in rows]
    per_person = Counter(m["To"].addresses[0].addr_spec for m in outcome_mails)
    assert per_person == dict.fromkeys(addresses, 1)
    kinds = Counter(rows[m["Message-ID"]].kind for m in outcome_mails)
    assert kinds == {"admitted": SEATS, "waitlisted": PEOPLE - SEATS}
    logged = stderr_path.read_text()
    assert "@example.no" not in logged and "Gunicorn Person" not in logged
