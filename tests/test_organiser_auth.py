"""Organiser login, logout, the anonymous redirect on every route, and the CLI."""

import re

import pytest

from conftest import ORGANISER_EMAIL, csrf_from, log_in
from signup.extensions import db
from signup.models import AuditEntry, Organiser


def _organiser_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/organiser") and rule.endpoint != "organiser.login":
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


def test_cli_refuses_a_short_password(runner):
    result = runner.invoke(args=["organiser", "create", "ny@example.no"], input="kort\n")
    assert result.exit_code != 0
    assert "at least 10" in result.output


def test_public_pages_show_only_a_discreet_footer_link(client, make_event):
    event = make_event()
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert page.count("/organiser/") == 1


def test_organiser_pages_are_never_cached(organiser_client):
    assert organiser_client.get("/organiser/").headers["Cache-Control"] == "no-store"
    assert organiser_client.get("/organiser/login").status_code == 302
