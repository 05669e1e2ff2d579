"""Accounts in the dashboard (issue 15): invite by email, roles and events, disable."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from test_organiser_auth import alone

from conftest import csrf_from, links_in, log_in, press, words_of
from signup.extensions import db
from signup.models import AuditEntry, Organiser
from signup.web.organiser import OPEN_ENDPOINTS

STRONG = "blåbærsyltetøy-på-vaffel"


def link_from(mail, prefix: str) -> str:
    """The path of the first link in `mail` under `prefix` (e.g. /organiser/invite/)."""
    for url in links_in(mail):
        path = urlsplit(url).path
        if path.startswith(prefix):
            return path
    raise AssertionError(f"no {prefix} link in {mail['Subject']!r}")


def invite(client, email: str, role: str = "organiser", events=(), all_events=False):
    page = client.get("/organiser/team").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "email": email, "role": role}
    if all_events:
        data["all_events"] = "y"
    data["events"] = [str(event.id) for event in events]
    return client.post("/organiser/team/invite", data=data)


def choose_password(client, path: str, password: str = STRONG, repeat: str | None = None):
    page = client.get(path)
    if page.status_code != 200:
        return page
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "password": password,
            "repeat": password if repeat is None else repeat}  # fmt: skip
    return client.post(path, data=data)


@pytest.fixture
def admin(app, organiser):
    """The administrator (an organiser of all events) in a browser of their own."""
    browser = alone(app.test_client())
    assert log_in(browser).status_code == 303
    return browser


@pytest.fixture
def invited(app, admin, smtp):
    """Factory: invite an address and accept from the received email; a logged-in client."""

    def factory(email: str, role: str = "organiser", events=(), all_events=False):
        assert invite(admin, email, role, events, all_events).status_code == 303
        [mail] = smtp.wait_for(email)
        guest = alone(app.test_client())
        assert choose_password(guest, link_from(mail, "/organiser/invite/")).status_code == 303
        assert log_in(guest, email, STRONG).status_code == 303
        return guest

    return factory


def test_an_invited_organiser_chooses_a_password_from_the_email_and_logs_in(
    app, admin, make_event, smtp
):
    event = make_event(title="Temamøte for sjømatklyngen på Træna")
    assert invite(admin, "Ase.Bjornstad@Sjomat-Traena.no", events=[event]).status_code == 303
    [mail] = smtp.wait_for("ase.bjornstad@sjomat-traena.no")
    assert mail["Subject"] == "Du er invitert som arrangør"
    assert "du er invitert til å være arrangør" in words_of(mail)
    path = link_from(mail, "/organiser/invite/")

    guest = alone(app.test_client())
    page = guest.get(path)
    assert page.status_code == 200 and "Velg passord" in page.get_data(as_text=True)
    # GET changes nothing: the account still has no password, and login is refused.
    assert log_in(guest, "ase.bjornstad@sjomat-traena.no", STRONG).status_code == 422
    assert choose_password(guest, path, "passord12345").status_code == 422
    assert choose_password(guest, path).status_code == 303
    assert log_in(guest, "ase.bjornstad@sjomat-traena.no", STRONG).status_code == 303
    assert "Temamøte for sjømatklyngen på Træna" in guest.get("/organiser/").get_data(as_text=True)

    actions = [entry.action for entry in db.session.scalars(db.select(AuditEntry))]
    assert "invite" in actions and "invite_accepted" in actions


def test_an_invite_link_works_once(app, admin, smtp):
    assert invite(admin, "oyvind@sjomat-traena.no", all_events=True).status_code == 303
    path = link_from(smtp.wait_for("oyvind@sjomat-traena.no")[0], "/organiser/invite/")
    guest = alone(app.test_client())
    assert choose_password(guest, path).status_code == 303
    again = guest.get(path)
    assert again.status_code == 410
    assert "allerede brukt" in again.get_data(as_text=True)


def test_an_invite_link_expires_after_72_hours(app, admin, smtp, frozen_clock):
    assert invite(admin, "oyvind@sjomat-traena.no", all_events=True).status_code == 303
    path = link_from(smtp.wait_for("oyvind@sjomat-traena.no")[0], "/organiser/invite/")
    frozen_clock.advance(timedelta(hours=71))
    assert alone(app.test_client()).get(path).status_code == 200
    frozen_clock.advance(timedelta(hours=1, seconds=1))
    guest = alone(app.test_client())
    assert guest.get(path).status_code == 410
    assert choose_password(guest, path).status_code == 410
    assert (
        db.session.scalar(
            db.select(Organiser).filter_by(email="oyvind@sjomat-traena.no")
        ).password_hash
        == ""
    )


def test_an_invite_link_is_refused_as_a_reset_link_and_the_reverse(app, admin, smtp):
    assert invite(admin, "oyvind@sjomat-traena.no", all_events=True).status_code == 303
    path = link_from(smtp.wait_for("oyvind@sjomat-traena.no")[0], "/organiser/invite/")
    token = path.rsplit("/", 1)[1]
    guest = alone(app.test_client())
    assert guest.get(f"/organiser/reset/{token}").status_code == 400
    assert choose_password(guest, f"/organiser/reset/{token}").status_code == 400
    assert guest.get(path).status_code == 200  # still good for its own purpose


def test_inviting_again_ends_the_first_link(app, admin, smtp):
    assert invite(admin, "oyvind@sjomat-traena.no", all_events=True).status_code == 303
    first = link_from(smtp.wait_for("oyvind@sjomat-traena.no")[0], "/organiser/invite/")
    account = db.session.scalar(db.select(Organiser).filter_by(email="oyvind@sjomat-traena.no"))
    page = admin.get(f"/organiser/team/{account.id}").get_data(as_text=True)
    assert press(admin, page, "Send invitasjonen på nytt").status_code == 303
    second = link_from(smtp.wait_for("oyvind@sjomat-traena.no", 2)[1], "/organiser/invite/")
    guest = alone(app.test_client())
    assert guest.get(first).status_code == 410
    assert choose_password(guest, second).status_code == 303


def test_an_address_with_an_account_is_not_invited_twice(admin, smtp):
    response = invite(admin, " Arrangor@Profilgruppa.no ", all_events=True)
    assert response.status_code == 422
    assert "finnes allerede en konto" in response.get_data(as_text=True)


def _concrete(rule, slug: str) -> str:
    path = rule.rule.replace("<slug>", slug)
    return re.sub(r"<(?:\w+:)?\w+>", "1", path)


DOOR_PAGES = {
    "organiser.checkin",
    "organiser.check_in",
    "organiser.undo_check_in",
    "organiser.check_in_by_token",
    "organiser.check_in_by_code",
}
DOOR_PAGES |= {"organiser.walk_in_page", "organiser.walk_in", "organiser.door_list"}
#: The account's own pages (logout, password, two-step sign-in), open to every role.
OWN_ACCOUNT = {
    "organiser.logout",
    "organiser.account",
    "organiser.change_password",
    "organiser.twostep_setup",
    "organiser.twostep_turn_on",
    "organiser.twostep_turn_off",
}


def test_a_door_account_opens_only_the_check_in_of_its_own_events(
    app, invited, make_event, confirmed
):
    door_event = make_event(slug="dor", title="Temamøte på Økta")
    other = make_event(slug="annet", title="Årsmøte i Sjømatklyngen")
    door = invited("dorvakt@sjomat-traena.no", role="door", events=[door_event])
    token = csrf_from(door.get("/organiser/account").get_data(as_text=True))

    assert door.get("/organiser/events/dor/checkin").status_code == 200
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organiser") or rule.endpoint in OPEN_ENDPOINTS | OWN_ACCOUNT:
            continue
        for slug in ("dor", "annet"):
            if rule.endpoint in DOOR_PAGES and slug == "dor":
                continue
            path = _concrete(rule, slug)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": token} if method == "POST" else None
                response = door.open(path, method=method, data=data)
                assert response.status_code == 403, (method, path, response.status_code)
                checked += 1
    assert checked >= 40
    assert other.title not in door.get("/organiser/events/annet/checkin").get_data(as_text=True)
    # The door's own pages link to nothing it may not open.
    for page in ("/organiser/events/dor/checkin", "/organiser/account"):
        html = door.get(page).get_data(as_text=True)
        for href in set(re.findall(r'href="(/organiser/[^"]*)"', html)):
            assert door.get(href).status_code == 200, (page, href)


def test_a_door_account_lands_on_its_check_in_page(app, invited, make_event):
    make_event(slug="dor", title="Temamøte på Økta")
    door = invited("dorvakt@sjomat-traena.no", role="door", all_events=True)
    assert door.get("/organiser/login").headers["Location"] == "/organiser/events/dor/checkin"


def test_an_organiser_of_one_event_sees_only_that_event_and_no_accounts(app, invited, make_event):
    mine = make_event(slug="mitt", title="Temamøte på Økta")
    make_event(slug="annet", title="Årsmøte i Sjømatklyngen")
    guest = invited("ase@sjomat-traena.no", events=[mine])
    overview = guest.get("/organiser/").get_data(as_text=True)
    assert "Temamøte på Økta" in overview and "Årsmøte i Sjømatklyngen" not in overview
    assert guest.get("/organiser/events/mitt/").status_code == 200
    assert guest.get("/organiser/events/annet/").status_code == 403
    assert guest.get("/organiser/events/annet/export.csv").status_code == 403
    assert guest.get("/organiser/team").status_code == 403
    assert guest.get("/organiser/audit").status_code == 403


def test_a_disabled_account_s_open_session_stops_on_its_next_request(
    app, admin, invited, make_event
):
    make_event(slug="mitt", title="Temamøte på Økta")
    guest = invited("ase@sjomat-traena.no", all_events=True)
    assert guest.get("/organiser/events/mitt/").status_code == 200
    account = db.session.scalar(db.select(Organiser).filter_by(email="ase@sjomat-traena.no"))

    page = admin.get(f"/organiser/team/{account.id}").get_data(as_text=True)
    assert press(admin, page, "Sperr kontoen").status_code == 303

    response = guest.get("/organiser/events/mitt/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organiser/login")
    assert log_in(guest, "ase@sjomat-traena.no", STRONG).status_code == 422
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="disable_account"))
    assert entry.organiser.email == "arrangor@profilgruppa.no"
    assert entry.detail == f"konto {account.id}"


def test_an_administrator_changes_a_role_and_cannot_lock_themselves_out(
    app, admin, invited, make_event
):
    make_event(slug="mitt", title="Temamøte på Økta")
    guest = invited("ase@sjomat-traena.no", all_events=True)
    account = db.session.scalar(db.select(Organiser).filter_by(email="ase@sjomat-traena.no"))
    page = admin.get(f"/organiser/team/{account.id}").get_data(as_text=True)
    token = csrf_from(page)
    response = admin.post(
        f"/organiser/team/{account.id}/access",
        data={"csrf_token": token, "role": "door", "all_events": "y"},
    )
    assert response.status_code == 303
    assert guest.get("/organiser/events/mitt/").status_code == 403
    assert guest.get("/organiser/events/mitt/checkin").status_code == 200

    me = db.session.scalar(db.select(Organiser).filter_by(email="arrangor@profilgruppa.no"))
    for action in ("access", "disable"):
        response = admin.post(
            f"/organiser/team/{me.id}/{action}",
            data={"csrf_token": token, "role": "door", "all_events": "y", "disable": "1"},
        )
        assert response.status_code == 403
    assert admin.get("/organiser/team").status_code == 200


def test_an_address_with_letters_a_relay_cannot_carry_is_refused_in_norwegian(admin):
    response = invite(admin, "åse@sjømat.no", all_events=True)
    assert response.status_code == 422
    assert "Delen foran @ kan ikke ha æ, ø, å" in response.get_data(as_text=True)


def test_the_audit_log_says_who_did_each_account_action(app, admin, invited, smtp):
    invited("ase@sjomat-traena.no", all_events=True)
    account = db.session.scalar(db.select(Organiser).filter_by(email="ase@sjomat-traena.no"))
    page = admin.get(f"/organiser/team/{account.id}").get_data(as_text=True)
    assert press(admin, page, "Sperr kontoen").status_code == 303
    rows = {
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(
            r"<tr>(.*?)</tr>", admin.get("/organiser/audit").get_data(as_text=True), re.S
        )
    }

    def row_of(words: str) -> str:
        [row] = [row for row in rows if words in row]
        return row

    assert "arrangor@profilgruppa.no inviterte en arrangør" in row_of("inviterte en arrangør")
    assert "ase@sjomat-traena.no tok imot invitasjonen" in row_of("tok imot invitasjonen")
    assert "arrangor@profilgruppa.no sperret en arrangørkonto" in row_of("sperret")
    assert f"konto {account.id}" in row_of("sperret")


def test_invitations_are_limited_per_administrator(admin, smtp):
    for number in range(30):
        assert invite(admin, f"person{number}@sjomat-traena.no", all_events=True).status_code == 303
    refused = invite(admin, "person30@sjomat-traena.no", all_events=True)
    assert refused.status_code == 429
    assert "For mange forsøk" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Organiser.id))) == 31


def test_the_cli_lists_each_account_s_role_and_events(app, invited, make_event):
    event = make_event(slug="dor", title="Temamøte på Økta")
    invited("dorvakt@sjomat-traena.no", role="door", events=[event])
    output = app.test_cli_runner().invoke(args=["organiser", "list"]).output
    assert "arrangor@profilgruppa.no\t" in output and "organiser, all events" in output
    assert "door, 1 event(s)" in output
