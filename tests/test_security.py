"""CSRF on every POST route, security headers on public pages, no personal data in logs."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from conftest import (
    app_log_text,
    confirm_by_link,
    count_rows,
    csrf_from,
    link_path,
    press,
    submit_signup,
)
from signup import clock, tokens
from signup.core import admission, announcements
from signup.extensions import db
from signup.models import Announcement, AuditEntry, Event, Organiser, OutboxMessage, Registration

#: First pass only: CSRF, headers and logs do not depend on the database.
pytestmark = pytest.mark.once


def snapshot() -> tuple:
    """What a POST could change: registrations' states, the outbox, audit, capacity, messages."""
    db.session.rollback()
    states = tuple(db.session.execute(db.select(Registration.id, Registration.state)).all())
    capacity = tuple(db.session.scalars(db.select(Event.capacity)))
    messages = tuple(db.session.execute(db.select(Announcement.state, Announcement.subject)).all())
    return states, capacity, messages, count_rows(OutboxMessage), count_rows(AuditEntry)


def concrete(rule, values: dict[str, str]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", values[name], path)
    return path


def test_every_post_route_refuses_a_post_without_csrf_token(
    app, organiser_client, make_event, confirmed
):
    event = make_event(capacity=1)
    seated = confirmed(event, "plass@example.no")
    waiting = confirmed(event, "vent@example.no")
    admission.cancel(seated)
    offered = db.session.get(Registration, waiting.id)
    message_id = db.session.scalar(db.select(OutboxMessage.id))
    scheduled = announcements.schedule(
        event.id, "Nytt rom på Ås", "Tekst.", "seated", clock.now() + timedelta(days=1), by=None
    )
    before = snapshot()
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        purpose = tokens.OFFER if rule.rule.startswith("/o/") else tokens.MANAGE
        public_id = offered.public_id if purpose == tokens.OFFER else seated.public_id
        path = concrete(
            rule,
            {
                "slug": event.slug,
                "registration_id": str(offered.id),
                "message_id": str(message_id),
                "announcement_id": str(scheduled.id),
                "key": "medlem",
                "handover_id": "1",
                "organiser_id": str(db.session.scalar(db.select(Organiser.id))),
                "token": tokens.sign(purpose, public_id, offered.offer_number),
            },
        )
        form = {"confirm": "yes", "capacity": "5", "email": "ny@example.no", "name": "Ny"}
        response = organiser_client.post(path, data=form)
        assert response.status_code == 400, (path, response.status_code)
        posted += 1
    assert posted >= 15
    assert snapshot() == before


def test_public_pages_carry_the_security_headers(client, make_event, smtp):
    event = make_event()
    submit_signup(client, event, "kari@example.no")
    confirm = link_path(smtp.wait_for("kari@example.no")[0], "c")
    for path in ("/", f"/events/{event.slug}/", "/new-link", confirm, "/c/spoilt", "/nowhere"):
        response = client.get(path)
        headers = response.headers
        script_src = re.search(r"script-src ([^;]*)", headers["Content-Security-Policy"])
        assert script_src and "'unsafe-inline'" not in script_src.group(1), path
        assert "unsafe-inline" not in headers["Content-Security-Policy"].split("style-src")[0]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        # same-origin keeps the Referer that Flask-WTF's HTTPS CSRF check compares.
        assert headers["Referrer-Policy"] == "same-origin"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.get_data(as_text=True))


def test_pages_from_signed_links_are_never_stored_and_others_may_be(client, make_event, smtp):
    """Each view opened from a signed link declares itself personal; no path list decides."""
    event = make_event()
    submit_signup(client, event, "aase@example.no")
    mail = smtp.wait_for("aase@example.no")[0]
    confirm = link_path(mail, "c")
    for path in (confirm, "/c/spoilt", "/m/spoilt", "/o/spoilt", "/h/spoilt"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert confirm_by_link(client, mail).headers.get("Cache-Control") == "no-store"
    for path in ("/", f"/events/{event.slug}/", "/new-link"):
        assert "Cache-Control" not in client.get(path).headers, path
    public = [
        rule
        for rule in client.application.url_map.iter_rules()
        if rule.endpoint.startswith("public.")
    ]
    for rule in public:
        view = client.application.view_functions[rule.endpoint]
        signed = rule.rule.startswith(("/c/", "/m/", "/o/", "/h/", "/e/"))
        assert getattr(view, "personal_page", False) == signed, rule.rule


def test_no_personal_data_in_log_lines_during_the_flow(client, make_event, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    event = make_event(capacity=1)
    name, address = "Åse Ødegård-Nilsen", "ase.odegard@example.no"

    submit_signup(client, event, address, name=name, phone="+47 912 34 567")
    confirmed = confirm_by_link(client, smtp.wait_for(address)[0])
    manage = link_path(smtp.wait_for(address, 2)[-1], "m")
    page = client.get(manage).get_data(as_text=True)
    asked = press(client, page, "Meld meg av")
    done = press(client, asked.get_data(as_text=True), "Ja, meld meg av")
    smtp.wait_for(address, 3)

    assert confirmed.status_code == 200 and done.status_code == 200
    logged = app_log_text(caplog)
    for personal in (name, "Ødegård", address, "example.no", "912 34 567", "Finnfjord"):
        assert personal not in logged
    assert csrf_from(page)
