"""Organiser login, logout, the anonymous redirect on every route, and the CLI."""

import contextvars
import getpass
import logging
import re
import time
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

import config
from conftest import ORGANISER_EMAIL, app_log_text, csrf_from, log_in
from signup.core import accounts, passwords
from signup.extensions import db
from signup.models import AuditEntry, Organiser
from signup.web.organiser import OPEN_ENDPOINTS

#: First pass only: logging in and out does not depend on the database.
pytestmark = pytest.mark.once


def _organiser_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/organiser") and rule.endpoint not in OPEN_ENDPOINTS:
            yield rule


def _concrete(rule) -> str:
    values = {arg: 1 if "int:" in rule.rule else "x" for arg in rule.arguments}
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path


def test_every_organiser_route_sends_anonymous_visitors_to_login(app, client, make_event):
    event = make_event(slug="x")
    assert event.slug == "x"
    token = csrf_from(client.get("/organiser/login").get_data(as_text=True))
    rules = list(_organiser_rules(app))
    assert len(rules) >= 20
    for rule in rules:
        path = _concrete(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(path, method=method, data=data)
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].startswith("/organiser/login"), path
            assert b"Finnfjord" not in response.data


def test_anonymous_post_without_csrf_is_refused(client):
    assert client.post("/organiser/events/x/capacity", data={"capacity": 1}).status_code == 400


def test_login_lets_the_organiser_in_and_returns_to_the_page_asked_for(client, organiser):
    first = client.get("/organiser/audit")
    assert first.headers["Location"] == "/organiser/login?next=%2Forganiser%2Faudit"
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    response = client.post(
        first.headers["Location"],
        data={"csrf_token": csrf_from(page), "email": " Arrangor@Profilgruppa.no ",
              "password": "riktig-hest-batteri-stift"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/organiser/audit"
    assert "logget inn" in client.get("/organiser/audit").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/events/"])
def test_login_never_redirects_off_the_dashboard(client, organiser, target):
    page = client.get("/organiser/login").get_data(as_text=True)
    response = client.post(
        "/organiser/login",
        query_string={"next": target},
        data={"csrf_token": csrf_from(page), "email": ORGANISER_EMAIL,
              "password": "riktig-hest-batteri-stift"},
    )  # fmt: skip
    assert response.headers["Location"] == "/organiser/"


def test_wrong_password_is_refused_in_plain_words(client, organiser):
    response = log_in(client, password="feil-passord-her")
    assert response.status_code == 422
    assert "Feil e-post eller passord." in response.get_data(as_text=True)
    assert client.get("/organiser/").status_code == 302


def test_unknown_address_gets_the_same_answer(client, organiser):
    response = log_in(client, email="ukjent@example.no", password="feil-passord-her")
    assert response.status_code == 422
    assert "Feil e-post eller passord." in response.get_data(as_text=True)


def test_failed_logins_are_throttled_per_address(client, organiser):
    for _ in range(5):
        assert log_in(client, password="feil-passord-her").status_code == 422
    throttled = log_in(client)
    assert throttled.status_code == 429
    assert "For mange innloggingsforsøk" in throttled.get_data(as_text=True)
    # Another address from the same client is not locked out by the first one's failures.
    assert log_in(client, email="annen@example.no", password="x" * 12).status_code == 422


def test_successful_logins_do_not_use_up_the_address_limit(client, organiser):
    for _ in range(7):
        assert log_in(client).status_code == 303
        token = csrf_from(client.get("/organiser/").get_data(as_text=True))
        assert client.post("/organiser/logout", data={"csrf_token": token}).status_code == 303


def test_logout_is_a_post_with_csrf(organiser_client):
    assert organiser_client.get("/organiser/logout").status_code == 405
    assert organiser_client.post("/organiser/logout").status_code == 400
    page = organiser_client.get("/organiser/").get_data(as_text=True)
    response = organiser_client.post("/organiser/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert organiser_client.get("/organiser/").status_code == 302
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["login", "logout"]


def test_cli_creates_an_organiser_from_stdin_with_a_hashed_password(runner):
    result = runner.invoke(
        args=["organiser", "create", "Ny@Example.no"], input="hemmelig-passord\n"
    )
    assert result.exit_code == 0, result.output
    assert "created organiser ny@example.no" in result.output
    organiser = db.session.scalar(db.select(Organiser))
    assert organiser.email == "ny@example.no"
    assert "hemmelig-passord" not in organiser.password_hash
    again = runner.invoke(args=["organiser", "create", "ny@example.no"], input="annet-passord\n")
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_outside_tests_passwords_get_werkzeugs_full_scrypt(app, monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    running = config.from_environment(str(tmp_path))["PASSWORD_HASH"]
    assert app.config["PASSWORD_HASH"] != running  # the tests' cheaper cost

    app.config["PASSWORD_HASH"] = running
    account = accounts.create_organiser("Ase.Orn@ørland.no", "Blåbærsyltetøy på Ørland")
    assert account.password_hash.startswith("scrypt:32768:8:1$")
    assert passwords.dummy_hash().startswith("scrypt:32768:8:1$")  # unknown addresses too

    # Each hash names its own cost: a change of method still lets the account in.
    app.config["PASSWORD_HASH"] = "scrypt:1024:8:1"
    assert accounts.authenticate("ase.orn@ørland.no", "Blåbærsyltetøy på Ørland") == account
    assert accounts.authenticate("ase.orn@ørland.no", "Blåbærsyltetøy på Ørlan") is None


def test_cli_refuses_a_short_password(runner):
    result = runner.invoke(args=["organiser", "create", "ny@example.no"], input="kort\n")
    assert result.exit_code != 0
    assert "at least 12" in result.output


def test_public_pages_show_only_a_discreet_footer_link(client, make_event):
    event = make_event()
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert page.count("/organiser/") == 1


def test_organiser_pages_are_never_cached(organiser_client):
    assert organiser_client.get("/organiser/").headers["Cache-Control"] == "no-store"
    assert organiser_client.get("/organiser/login").status_code == 302


# -- sessions end on logout, a new password and disabling; 12 hours without activity ------


def alone(client):
    """The client, each request in its own app context, as separate processes would see it.

    The `app` fixture holds an app context that requests would otherwise share, and with it
    `g`: the logged-in user and the CSRF token cached there would leak between browsers.
    """
    shared_open = client.open
    client.open = lambda *args, **kwargs: contextvars.Context().run(shared_open, *args, **kwargs)
    return client


def _dashboard_status(app, cookie: str, name: str = "session") -> int:
    """What a fresh browser holding only this cookie gets from the dashboard."""
    stranger = alone(app.test_client())
    stranger.set_cookie(name, cookie)
    return stranger.get("/organiser/").status_code


@pytest.fixture
def browser(app, organiser):
    """A logged-in browser whose requests share nothing with the test's app context."""
    client = alone(app.test_client())
    assert log_in(client).status_code == 303
    return client


def test_logout_ends_the_session_even_for_a_copied_cookie(app, browser, make_event):
    event = make_event(title="Temamøte for Ærlige Åsmund")
    copied = browser.get_cookie("session").value
    export = f"/organiser/events/{event.slug}/export.csv"
    stranger = alone(app.test_client())
    stranger.set_cookie("session", copied)
    assert stranger.get(export).status_code == 200

    page = browser.get("/organiser/").get_data(as_text=True)
    assert browser.post("/organiser/logout", data={"csrf_token": csrf_from(page)})

    later = stranger.get(export)
    assert later.status_code == 302
    assert later.headers["Location"].startswith("/organiser/login")
    assert "Ærlige" not in later.get_data(as_text=True)


def test_remember_cookie_from_before_logout_opens_nothing(app, browser, organiser):
    remembered = encode_cookie(organiser.get_id())
    assert _dashboard_status(app, remembered, "remember_token") == 200
    page = browser.get("/organiser/").get_data(as_text=True)
    browser.post("/organiser/logout", data={"csrf_token": csrf_from(page)})
    assert _dashboard_status(app, remembered, "remember_token") == 302
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(hours=12)


class _SignedEarlier(TimestampSigner):
    """Signs as if it were `hours_ago` hours earlier: a session last used back then."""

    hours_ago = 0

    def get_timestamp(self) -> int:
        return int(time.time()) - self.hours_ago * 3600


def _cookie_last_used(app, cookie: str, hours_ago: int) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    signer = type("Signer", (_SignedEarlier,), {"hours_ago": hours_ago})
    earlier = URLSafeTimedSerializer(
        app.secret_key,
        salt=serializer.salt,
        serializer=serializer.serializer,
        signer=signer,
        signer_kwargs=serializer.signer_kwargs,
    )
    return earlier.dumps(serializer.loads(cookie))


def test_session_ends_after_12_hours_without_a_request(app, browser):
    cookie = browser.get_cookie("session")
    assert cookie.expires is not None  # refreshed on each request, not a 31-day default
    assert _dashboard_status(app, _cookie_last_used(app, cookie.value, 11)) == 200
    assert _dashboard_status(app, _cookie_last_used(app, cookie.value, 13)) == 302


# -- failed logins lock an account only against the clients that failed -----------------


def _client_at(app, address: str):
    client = alone(app.test_client())
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_passwords_lock_the_account_only_against_the_client_that_failed(app, organiser):
    attacker = _client_at(app, "203.0.113.66")
    for _ in range(5):
        assert log_in(attacker, password="feil-passord-her").status_code == 422
    assert log_in(attacker).status_code == 429

    colleague = _client_at(app, "198.51.100.20")
    assert log_in(colleague).status_code == 303


def test_failed_logins_are_audited_without_password_or_address(app, organiser, caplog):
    caplog.set_level(logging.DEBUG)
    log_in(_client_at(app, "203.0.113.66"), password="feil-passord-Æøå")
    log_in(_client_at(app, "203.0.113.66"), email="ukjent@example.no", password="feil-passord-2")

    db.session.rollback()
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.organiser_id) for e in entries] == [
        ("login_failed", organiser.id),
        ("login_failed", None),
    ]
    stored = " ".join(f"{e.detail} {e.operator}" for e in entries)
    logged = app_log_text(caplog)
    for secret in ("feil-passord", "ukjent@example.no", ORGANISER_EMAIL, "203.0.113.66"):
        assert secret not in stored and secret not in logged
    assert "login refused" in logged
    assert log_in(browser := _client_at(app, "198.51.100.20")).status_code == 303
    audit_page = browser.get("/organiser/audit").get_data(as_text=True)
    assert "mislykket innlogging" in audit_page and "ukjent adresse" in audit_page
    assert "feil-passord" not in audit_page


# -- flask organiser password / disable / enable -------------------------------------------


def test_cli_new_password_ends_sessions_and_is_audited_with_the_operator(
    app, runner, browser, monkeypatch
):
    monkeypatch.setenv("SUDO_USER", "driftsansvarlig-øyvind")
    result = runner.invoke(
        args=["organiser", "password", ORGANISER_EMAIL], input="nytt-langt-passord\n"
    )
    assert result.exit_code == 0, result.output
    assert browser.get("/organiser/").status_code == 302
    assert log_in(browser).status_code == 422
    assert log_in(browser, password="nytt-langt-passord").status_code == 303

    audit_page = browser.get("/organiser/audit").get_data(as_text=True)
    assert "driftsansvarlig-øyvind på kommandolinjen" in audit_page
    assert "satte nytt passord for en arrangør" in audit_page
    assert f"konto: {ORGANISER_EMAIL}" in audit_page
    short = runner.invoke(args=["organiser", "password", ORGANISER_EMAIL], input="kort\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    unknown = runner.invoke(args=["organiser", "password", "ingen@example.no"], input="x" * 12)
    assert unknown.exit_code != 0 and "no organiser" in unknown.output


def test_cli_disable_locks_the_account_out_at_once(app, runner, browser, monkeypatch):
    monkeypatch.delenv("SUDO_USER", raising=False)
    result = runner.invoke(args=["organiser", "disable", ORGANISER_EMAIL])
    assert result.exit_code == 0, result.output
    assert browser.get("/organiser/").status_code == 302
    assert log_in(browser).status_code == 422
    assert "disabled" in runner.invoke(args=["organiser", "list"]).output

    db.session.rollback()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "disable"))
    assert entry.operator == getpass.getuser()
    assert runner.invoke(args=["organiser", "enable", ORGANISER_EMAIL]).exit_code == 0
    assert log_in(browser).status_code == 303
