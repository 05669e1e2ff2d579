"""Forgotten and changed passwords (issue 15): reset links, the rule, never revealing accounts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from test_organiser_auth import alone
from test_organiser_team import STRONG, choose_password, link_from

from conftest import ORGANISER_EMAIL, ORGANISER_PASSWORD, count_rows, csrf_from, log_in, words_of
from signup.extensions import db
from signup.models import AuditEntry, OutboxMessage

#: First pass only: reset links and the password rule do not depend on the database.
pytestmark = pytest.mark.once

UNKNOWN = "ukjent@profilgruppa.no"


def forgot(client, address: str):
    page = client.get("/organiser/forgot").get_data(as_text=True)
    return client.post("/organiser/forgot", data={"csrf_token": csrf_from(page), "email": address})


@pytest.fixture
def browser(app):
    return alone(app.test_client())


def test_the_login_page_links_to_the_forgotten_password_page(browser):
    assert 'href="/organiser/forgot">Glemt passordet?' in browser.get("/organiser/login").get_data(
        as_text=True
    )


def test_a_reset_link_from_the_email_sets_a_new_password_once(app, browser, organiser, smtp):
    assert forgot(browser, " Arrangor@Profilgruppa.no ").status_code == 200
    [mail] = smtp.wait_for(ORGANISER_EMAIL)
    assert mail["Subject"] == "Nytt passord til arrangørsidene"
    path = link_from(mail, "/organiser/reset/")
    assert browser.get(path).status_code == 200
    assert log_in(browser).status_code == 303  # GET changed nothing
    stranger = alone(app.test_client())
    assert choose_password(stranger, path, STRONG, "noe-annet-helt-annet").status_code == 422
    assert choose_password(stranger, path).status_code == 303
    # Every session ends with the new password, including the one opened above.
    assert browser.get("/organiser/").status_code == 302
    assert log_in(stranger).status_code == 422
    assert log_in(stranger, password=STRONG).status_code == 303

    used = alone(app.test_client()).get(path)
    assert used.status_code == 410 and "allerede brukt" in used.get_data(as_text=True)
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="password_reset"))
    assert entry.organiser.email == ORGANISER_EMAIL


def test_a_reset_link_expires_after_an_hour(browser, organiser, smtp, frozen_clock):
    forgot(browser, ORGANISER_EMAIL)
    path = link_from(smtp.wait_for(ORGANISER_EMAIL)[0], "/organiser/reset/")
    frozen_clock.advance(timedelta(minutes=59))
    assert browser.get(path).status_code == 200
    frozen_clock.advance(timedelta(minutes=1, seconds=1))
    assert browser.get(path).status_code == 410
    assert choose_password(browser, path).status_code == 410
    assert log_in(browser).status_code == 303


def test_a_newer_reset_link_or_a_password_change_ends_the_older_link(app, browser, organiser, smtp):
    forgot(browser, ORGANISER_EMAIL)
    first = link_from(smtp.wait_for(ORGANISER_EMAIL)[0], "/organiser/reset/")
    forgot(browser, ORGANISER_EMAIL)
    second = link_from(smtp.wait_for(ORGANISER_EMAIL, 2)[1], "/organiser/reset/")
    assert browser.get(first).status_code == 410
    assert browser.get(second).status_code == 200

    result = app.test_cli_runner().invoke(
        args=["organiser", "password", ORGANISER_EMAIL], input=f"{STRONG}\n"
    )
    assert result.exit_code == 0, result.output
    assert browser.get(second).status_code == 410


def test_a_reset_link_is_refused_as_an_invite_link(browser, organiser, smtp):
    forgot(browser, ORGANISER_EMAIL)
    path = link_from(smtp.wait_for(ORGANISER_EMAIL)[0], "/organiser/reset/")
    token = path.rsplit("/", 1)[1]
    assert browser.get(f"/organiser/invite/{token}").status_code == 400
    assert choose_password(browser, f"/organiser/invite/{token}").status_code == 400
    assert browser.get(f"/organiser/reset/{token}x").status_code == 400
    assert log_in(browser).status_code == 303


def test_the_answer_never_reveals_whether_an_address_has_an_account(app, organiser, smtp):
    before = count_rows(OutboxMessage)
    known = forgot(alone(app.test_client()), ORGANISER_EMAIL)
    after_known = count_rows(OutboxMessage)
    unknown = forgot(alone(app.test_client()), UNKNOWN)

    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert after_known - before == count_rows(OutboxMessage) - after_known == 1
    [mail] = smtp.wait_for(UNKNOWN)
    assert mail["Subject"] == smtp.wait_for(ORGANISER_EMAIL)[0]["Subject"]
    assert "Det finnes ingen aktiv arrangørkonto med denne adressen" in words_of(mail)
    assert "/organiser/reset/" not in words_of(mail)


def test_a_disabled_account_gets_no_reset_link(app, browser, organiser, smtp):
    app.test_cli_runner().invoke(args=["organiser", "disable", ORGANISER_EMAIL])
    assert forgot(browser, ORGANISER_EMAIL).status_code == 200
    [mail] = smtp.wait_for(ORGANISER_EMAIL)
    assert "/organiser/reset/" not in words_of(mail)


def test_reset_requests_are_limited_per_address(app, organiser, smtp):
    for _ in range(3):
        assert forgot(alone(app.test_client()), ORGANISER_EMAIL).status_code == 200
    refused = forgot(alone(app.test_client()), "ARRANGOR@profilgruppa.no")
    assert refused.status_code == 429
    assert "For mange forespørsler" in refused.get_data(as_text=True)
    assert count_rows(OutboxMessage) == 3
    # The limit is the address's, for known and unknown addresses alike.
    for _ in range(3):
        assert forgot(alone(app.test_client()), UNKNOWN).status_code == 200
    assert forgot(alone(app.test_client()), UNKNOWN).status_code == 429


def test_reset_requests_are_limited_per_client(browser, smtp):
    for number in range(10):
        assert forgot(browser, f"person{number}@profilgruppa.no").status_code == 200
    assert forgot(browser, "person10@profilgruppa.no").status_code == 429
    assert count_rows(OutboxMessage) == 10


def test_an_organiser_changes_their_own_password_with_the_current_one(app, organiser):
    browser = alone(app.test_client())
    other_session = alone(app.test_client())
    assert log_in(browser).status_code == 303 and log_in(other_session).status_code == 303
    page = browser.get("/organiser/account").get_data(as_text=True)

    def change(current: str, new: str):
        data = {"csrf_token": csrf_from(page), "current": current, "password": new,
                "repeat": new}  # fmt: skip
        return browser.post("/organiser/account/password", data=data)

    wrong = change("feil-passord-her", STRONG)
    assert wrong.status_code == 422 and "Nåværende passord er feil" in wrong.get_data(as_text=True)
    common = change(ORGANISER_PASSWORD, "passwordpassword")
    assert common.status_code == 422
    assert "for vanlig eller for lett å gjette" in common.get_data(as_text=True)
    short = change(ORGANISER_PASSWORD, "Blåbær-2026")
    assert "minst 12 tegn" in short.get_data(as_text=True)
    assert change(ORGANISER_PASSWORD, STRONG).status_code == 303

    assert browser.get("/organiser/").status_code == 200  # this session goes on
    assert other_session.get("/organiser/").status_code == 302  # every other one ends
    assert log_in(alone(app.test_client()), password=STRONG).status_code == 303
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="password_changed"))


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("kort\n", "at least 12"),
        ("passwordpassword\n", "too common"),
        ("qwertyuiop123\n", "too common"),
    ],
)
def test_the_cli_applies_the_same_password_rule(runner, organiser, password, refused):
    for command in ("create", "password"):
        address = "ny@profilgruppa.no" if command == "create" else ORGANISER_EMAIL
        result = runner.invoke(args=["organiser", command, address], input=password)
        assert result.exit_code != 0 and refused in result.output, result.output


def test_the_reset_email_is_in_the_language_the_page_was_in(app, browser, organiser, smtp):
    browser.get("/language/en")
    forgot(browser, ORGANISER_EMAIL)
    [mail] = smtp.wait_for(ORGANISER_EMAIL)
    assert mail["Subject"] == "New password for the organiser pages"
    assert "Choose a new password here" in words_of(mail)
    assert "passord" not in words_of(mail)


def test_a_reset_request_is_logged_against_the_account_asked_for(app, organiser, smtp):
    forgot(alone(app.test_client()), ORGANISER_EMAIL)
    forgot(alone(app.test_client()), UNKNOWN)
    admin = alone(app.test_client())
    log_in(admin)
    page = admin.get("/organiser/audit").get_data(as_text=True)
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
    ]
    asked = [row for row in rows if "ba om lenke for nytt passord" in row]
    assert len(asked) == 2
    assert any(
        f"(ukjent) ba om lenke for nytt passord konto: {ORGANISER_EMAIL}" in r for r in asked
    )
    assert any(r.endswith("ukjent adresse") and UNKNOWN not in r for r in asked)
