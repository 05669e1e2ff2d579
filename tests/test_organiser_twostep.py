"""Two-step sign-in (issue 15): a one-time code after the password, recovery codes."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pyotp
import pytest
from test_organiser_auth import alone

from conftest import ORGANISER_EMAIL, ORGANISER_PASSWORD, csrf_from, log_in
from signup import clock
from signup.extensions import db
from signup.models import AuditEntry, Organiser


def turn_on(browser) -> tuple[str, list[str]]:
    """Turn two-step sign-in on from the account page; the secret and the recovery codes."""
    page = browser.get("/organiser/account/twostep").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', page).group(1)
    uri = html.unescape(re.search(r'<code class="secret">(otpauth://[^<]+)</code>', page).group(1))
    assert f"secret={secret}" in uri and "issuer=P%C3%A5melding" in uri
    # The QR code is drawn here, as an inline image: the secret goes to no other host.
    assert re.search(r'<img src="data:image/svg\+xml;[^"]+" alt="QR-kode', page)
    data = {"csrf_token": csrf_from(page), "secret": secret, "code": "000000"}
    wrong = browser.post("/organiser/account/twostep", data=data)
    assert wrong.status_code == 422 and "Koden stemmer ikke" in wrong.get_data(as_text=True)
    data["code"] = pyotp.TOTP(secret).at(clock.now())
    shown = browser.post("/organiser/account/twostep", data=data)
    assert shown.status_code == 200
    codes = re.findall(
        r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", shown.get_data(as_text=True)
    )
    assert len(codes) == 10
    return secret, codes


def enter_code(browser, code: str):
    page = browser.get("/organiser/login/code").get_data(as_text=True)
    return browser.post("/organiser/login/code", data={"csrf_token": csrf_from(page), "code": code})


@pytest.fixture
def secured(app, organiser):
    """The organiser with two-step sign-in on: (secret, recovery codes)."""
    browser = alone(app.test_client())
    assert log_in(browser).status_code == 303
    return turn_on(browser)


def test_with_two_step_on_the_password_alone_logs_nobody_in(app, secured, frozen_clock):
    secret, _codes = secured
    browser = alone(app.test_client())
    response = log_in(browser)
    assert response.status_code == 303
    assert response.headers["Location"] == "/organiser/login/code"
    assert browser.get("/organiser/").status_code == 302
    assert enter_code(browser, "123456").status_code == 422
    frozen_clock.advance(timedelta(seconds=30))
    assert enter_code(browser, pyotp.TOTP(secret).at(clock.now())).status_code == 303
    assert browser.get("/organiser/").status_code == 200


def test_a_code_works_once(app, secured, frozen_clock):
    secret, _codes = secured
    frozen_clock.advance(timedelta(minutes=1))
    code = pyotp.TOTP(secret).at(clock.now())
    first, second = alone(app.test_client()), alone(app.test_client())
    log_in(first), log_in(second)
    assert enter_code(first, code).status_code == 303
    assert enter_code(second, code).status_code == 422
    assert second.get("/organiser/").status_code == 302


def test_a_recovery_code_works_once_and_is_audited(app, secured):
    _secret, codes = secured
    first = alone(app.test_client())
    log_in(first)
    assert enter_code(first, codes[3].upper()).status_code == 303
    second = alone(app.test_client())
    log_in(second)
    assert enter_code(second, codes[3]).status_code == 422
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="recovery_code_used"))
    stored = db.session.scalar(db.select(Organiser)).recovery_codes
    assert len(stored) == 9 and codes[0] not in stored  # hashed, never the code itself


def test_the_code_page_needs_the_password_first_and_expires(app, secured, frozen_clock):
    secret, _codes = secured
    stranger = alone(app.test_client())
    assert stranger.get("/organiser/login/code").headers["Location"] == "/organiser/login"
    log_in(stranger)
    page = stranger.get("/organiser/login/code").get_data(as_text=True)
    frozen_clock.advance(timedelta(minutes=6))
    code = pyotp.TOTP(secret).at(clock.now())
    response = stranger.post(
        "/organiser/login/code", data={"csrf_token": csrf_from(page), "code": code}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/organiser/login"
    assert stranger.get("/organiser/").status_code == 302


def test_wrong_codes_are_limited(app, secured):
    browser = alone(app.test_client())
    log_in(browser)
    for _ in range(5):
        assert enter_code(browser, "000000").status_code == 422
    assert enter_code(browser, "111111").status_code == 429


def test_turning_it_off_needs_the_password(app, secured):
    browser = alone(app.test_client())
    log_in(browser)
    _secret, codes = secured
    assert enter_code(browser, codes[0]).status_code == 303
    page = browser.get("/organiser/account").get_data(as_text=True)
    refused = browser.post(
        "/organiser/account/twostep/off",
        data={"csrf_token": csrf_from(page), "password_now": "feil-passord-her"},
    )
    assert refused.status_code == 422
    response = browser.post(
        "/organiser/account/twostep/off",
        data={"csrf_token": csrf_from(page), "password_now": ORGANISER_PASSWORD},
    )
    assert response.status_code == 303
    assert log_in(alone(app.test_client()), ORGANISER_EMAIL).headers["Location"] == "/organiser/"
    actions = {entry.action for entry in db.session.scalars(db.select(AuditEntry))}
    assert {"twostep_on", "twostep_off"} <= actions
