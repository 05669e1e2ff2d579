"""At the door (issue 17): walk-ins, the attendance list for tracing, the door list, the kitchen."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from test_organiser_auth import alone
from test_retention import _every_text_value

from conftest import csrf_from, log_in
from signup import clock, scheduler
from signup.core import accounts, signups
from signup.extensions import db
from signup.models import AuditEntry, Event, OutboxMessage, Registration, State

DOOR_EMAIL = "dorvakt@sjomat-ost.no"
DOOR_PASSWORD = "blåbærsyltetøy-på-vaffel"
WALK_IN = {
    "name": "Bjørn Åsmund Kværnø",
    "organisation": "Sjømat Øst AS",
    "phone": "+47 911 22 333",
    "email": "",
    "group": "andre",
}


def _walk_in(client, event, **fields):
    path = f"/organiser/events/{event.slug}/walk-in"
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **WALK_IN, **fields})


def _person(name: str) -> Registration | None:
    db.session.rollback()
    return db.session.scalar(db.select(Registration).where(Registration.name == name))


def _outbox_rows() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))


@pytest.fixture
def door_client(app, make_event):
    """A door account, given the event `dor` only, logged in in a browser of its own."""
    event = make_event(slug="dor", title="Temamøte på Økta", capacity=2)
    account = accounts.create_organiser(DOOR_EMAIL, DOOR_PASSWORD)
    account.role, account.all_events, account.events = "door", False, [event]
    db.session.commit()
    browser = alone(app.test_client())
    assert log_in(browser, DOOR_EMAIL, DOOR_PASSWORD).status_code == 303
    return browser


def test_a_walk_in_with_a_free_seat_gets_it_and_is_checked_in_at_once(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=2)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård")
    smtp.wait_for("kare@fjordbruk.no")
    mails = _outbox_rows()

    response = _walk_in(organiser_client, event)
    assert response.status_code == 303
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bjørn Åsmund Kværnø er registrert som ankommet." in page
    assert '<strong id="arrived-count">1</strong> ankommet av <strong>2</strong> med plass.' in page

    person = _person("Bjørn Åsmund Kværnø")
    assert person.state == State.ADMITTED and person.walk_in
    assert person.checked_in_at == clock.now() and person.email_normalised is None
    assert _outbox_rows() == mails, "nothing is written to a walk-in"
    [entry] = db.session.scalars(db.select(AuditEntry).filter_by(action="walk_in"))
    assert (entry.registration_id, entry.detail) == (person.id, "")
    # The dashboard counts them like everyone with a seat.
    dashboard = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert "Bjørn Åsmund Kværnø" in dashboard
    assert "Totalt" in dashboard
    events = organiser_client.get("/organiser/").get_data(as_text=True)
    assert "2 av 2" in events


def test_a_walk_in_when_full_needs_the_tick(organiser_client, make_event, confirmed, smtp):
    event = make_event(capacity=1)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård")

    refused = _walk_in(organiser_client, event)
    assert refused.status_code == 409
    assert "Møtet er fullt." in refused.get_data(as_text=True)
    assert _person("Bjørn Åsmund Kværnø") is None

    admitted = _walk_in(organiser_client, event, allow_overflow="y")
    assert admitted.status_code == 303
    person = _person("Bjørn Åsmund Kværnø")
    assert person.state == State.ADMITTED and person.checked_in_at is not None
    held = db.session.scalar(
        db.select(db.func.count()).where(
            Registration.event_id == event.id, Registration.state == State.ADMITTED
        )
    )
    assert held == 2
    [entry] = db.session.scalars(db.select(AuditEntry).filter_by(action="walk_in"))
    assert entry.detail == "over kapasitet"
    assert "Bjørn" not in entry.detail and "Kværnø" not in entry.detail


def test_no_email_ever_reaches_a_walk_in(app, organiser_client, make_event, smtp):
    event = make_event(capacity=5)
    response = _walk_in(organiser_client, event, email="bjorn@sjomat-ost.no")
    assert response.status_code == 303
    person = _person("Bjørn Åsmund Kværnø")
    assert person.email == "bjorn@sjomat-ost.no" and person.email_normalised is None
    # The day-before briefing goes to everyone admitted; not to a walk-in.
    clock.set_now(event.briefing_at + timedelta(minutes=1))
    scheduler.run_sweeps(app)
    db.session.rollback()
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(OutboxMessage.registration_id == person.id)
        )
        == 0
    )
    assert smtp.to("bjorn@sjomat-ost.no") == []
    # The same address may still sign up: the walk-in holds no sign-up's key.
    signups.sign_up(event, event.groups[0], {"name": "Bjørn Kværnø", "email":
                    "Bjorn@Sjomat-Ost.no", "organisation": "Sjømat Øst AS", "phone": "",
                    "dietary": ""})  # fmt: skip
    assert signups.find(event, "bjorn@sjomat-ost.no").walk_in is False


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "Dette feltet må fylles ut."),
        ({"phone": ""}, "Dette feltet må fylles ut."),
        ({"phone": "ring meg"}, "Skriv inn et gyldig telefonnummer"),
        ({"name": "Bjørn " * 50}, "Navnet kan være høyst 200 tegn."),
        ({"organisation": "Ø" * 201}, "Høyst 200 tegn."),
        ({"email": "bjørn@sjomat-ost.no"}, "Delen foran @ kan ikke ha æ, ø, å"),
        ({"name": "Bjørn\x00"}, "kontrolltegn"),
        ({"group": "sjef"}, "Velg et av alternativene."),
        ({"email": "b" * 250 + "@sjomat-ost.no"}, "Adressen kan være høyst 254 tegn."),
        ({"phone": "+47 " + "9" * 40}, "Høyst 40 tegn."),
    ],
)
def test_bad_walk_in_input_changes_nothing(organiser_client, make_event, fields, message):
    event = make_event()
    response = _walk_in(organiser_client, event, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="walk_in")) is None


def test_a_walk_in_without_the_csrf_token_changes_nothing(organiser_client, make_event):
    event = make_event()
    response = organiser_client.post(f"/organiser/events/{event.slug}/walk-in", data=WALK_IN)
    assert response.status_code in (400, 422)
    assert _person("Bjørn Åsmund Kværnø") is None


def test_a_stranger_cannot_add_a_walk_in_nor_read_the_lists(app, client, make_event):
    event = make_event()
    base = f"/organiser/events/{event.slug}"
    # Refused before any view: no CSRF token (400), and no login (the login page).
    assert client.post(f"{base}/walk-in", data=WALK_IN).status_code in (302, 303, 400, 401)
    token = csrf_from(client.get(f"/events/{event.slug}/").get_data(as_text=True))
    signed = client.post(f"{base}/walk-in", data={"csrf_token": token, **WALK_IN})
    assert signed.status_code in (302, 303, 401) and "/organiser/login" in signed.location
    for path in ("/walk-in", "/door-list", "/attendance", "/attendance.csv", "/kitchen"):
        response = client.get(base + path)
        assert response.status_code in (302, 303, 401), path
        assert "Bjørn" not in response.get_data(as_text=True)
    assert _person("Bjørn Åsmund Kværnø") is None


def test_no_walk_in_at_a_cancelled_meeting(organiser_client, make_event):
    from signup.core import events

    event = make_event()
    events.cancel(event.id, by="driftsansvarlig")
    response = _walk_in(organiser_client, event, allow_overflow="y")
    assert response.status_code == 409
    assert "Møtet er avlyst. Ingenting er endret." in response.get_data(as_text=True)
    assert _person("Bjørn Åsmund Kværnø") is None


def test_the_walk_in_form_sent_twice_adds_the_person_once(organiser_client, make_event):
    event = make_event()
    assert _walk_in(organiser_client, event).status_code == 303
    again = _walk_in(organiser_client, event)
    page = organiser_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Bjørn Åsmund Kværnø var allerede registrert som ankommet." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 1
    assert len(db.session.scalars(db.select(AuditEntry).filter_by(action="walk_in")).all()) == 1


def test_someone_signed_up_with_a_seat_is_checked_in_not_added(
    organiser_client, make_event, confirmed
):
    event = make_event()
    confirmed(event, "bjorn@sjomat-ost.no", name="Bjørn Kværnø")
    response = _walk_in(organiser_client, event, email=" Bjorn@Sjomat-Ost.no ")
    assert response.status_code == 409
    assert "er påmeldt og har plass" in response.get_data(as_text=True)
    assert _person("Bjørn Åsmund Kværnø") is None


def test_the_person_page_says_a_walk_in_gets_no_email(organiser_client, make_event):
    event = make_event()
    assert _walk_in(organiser_client, event).status_code == 303
    person = _person("Bjørn Åsmund Kværnø")
    page = organiser_client.get(f"/organiser/events/{event.slug}/people/{person.id}")
    assert page.status_code == 200
    assert "Kom uten påmelding og ble lagt til ved døren." in page.get_data(as_text=True)


def _arrive(client, event, name: str) -> None:
    person = _person(name)
    token = csrf_from(client.get(f"/organiser/events/{event.slug}/checkin").get_data(as_text=True))
    client.post(f"/organiser/events/{event.slug}/checkin/{person.id}", data={"csrf_token": token})


def test_the_attendance_csv_holds_exactly_who_arrived_in_local_time(
    organiser_client, make_event, confirmed
):
    event = make_event(capacity=3)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård", organisation="Fjordbruk AS",
              phone="+47 900 11 222")  # fmt: skip
    confirmed(event, "ase@fjordbruk.no", name="Åse Brøndbo")  # has a seat, never arrives
    confirmed(event, "hacker@fjordbruk.no", name="=HYPERLINK(1)", organisation="@SUM(A1)")
    _arrive(organiser_client, event, "Kåre Ødegård")
    clock.advance(timedelta(minutes=7))
    _arrive(organiser_client, event, "=HYPERLINK(1)")
    clock.advance(timedelta(minutes=5))
    assert _walk_in(organiser_client, event, allow_overflow="y").status_code == 303

    response = organiser_client.get(f"/organiser/events/{event.slug}/attendance.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header == ["Ankommet", "Navn", "Virksomhet", "E-post", "Telefon", "Gruppe",
                      "Uten påmelding"]  # fmt: skip
    # The clock starts at 09:00 in Oslo; the file says Oslo's wall-clock time.
    assert body == [
        ["2031-03-03 09:00", "Kåre Ødegård", "Fjordbruk AS", "kare@fjordbruk.no",
         "+47 900 11 222", "Medlem", "nei"],
        ["2031-03-03 09:07", "'=HYPERLINK(1)", "'@SUM(A1)", "hacker@fjordbruk.no", "",
         "Medlem", "nei"],
        ["2031-03-03 09:12", "Bjørn Åsmund Kværnø", "Sjømat Øst AS", "", "+47 911 22 333",
         "Andre", "ja"],
    ]  # fmt: skip
    exports = list(db.session.scalars(db.select(AuditEntry).filter_by(action="export")))
    assert [entry.detail for entry in exports] == ["oppmøteliste (CSV)"]
    assert exports[0].organiser.email == "arrangor@profilgruppa.no"

    page = organiser_client.get(f"/organiser/events/{event.slug}/attendance")
    text = page.get_data(as_text=True)
    assert "Bjørn Åsmund Kværnø" in text and "Åse Brøndbo" not in text
    assert 'href="/static/print.css"' in text


def test_the_door_list_is_in_norwegian_alphabetical_order(organiser_client, make_event, confirmed):
    event = make_event(capacity=6)
    for name in ("Åsen", "Øst", "Zahl", "Ærlig", "Andersen", "Ødegård"):
        confirmed(event, f"{len(name)}{name[-2:].lower()}@fjordbruk.no".replace("ø", "o")
                  .replace("å", "a").replace("æ", "ae"), name=name)  # fmt: skip
    confirmed(event, "venter@fjordbruk.no", name="Berit Venter")  # waitlisted: no seat
    page = organiser_client.get(f"/organiser/events/{event.slug}/door-list").get_data(as_text=True)
    names = [name for name in ("Andersen", "Zahl", "Ærlig", "Ødegård", "Øst", "Åsen")]
    positions = [page.index(f"<td>{name}</td>") for name in names]
    assert positions == sorted(positions)
    assert "Berit Venter" not in page
    assert page.count('class="box"') == 6


def test_the_kitchen_counts_each_note_and_names_who_wrote_it(
    organiser_client, make_event, confirmed
):
    event = make_event(capacity=3)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård", dietary="Glutenfri")
    confirmed(event, "ase@fjordbruk.no", name="Åse Brøndbo", dietary=" glutenfri ")
    confirmed(event, "bjorn@fjordbruk.no", name="Bjørn Ærø", dietary="Vegetar")
    confirmed(event, "per@fjordbruk.no", name="Per Vågsbø", dietary="Vegetar")  # waitlisted
    page = organiser_client.get(f"/organiser/events/{event.slug}/kitchen").get_data(as_text=True)
    assert "3 av 3 med plass har oppgitt allergier eller behov for mat." in page
    assert '<td>Glutenfri</td><td class="num">2</td><td>Kåre Ødegård, Åse Brøndbo</td>' in page
    assert '<td>Vegetar</td><td class="num">1</td><td>Bjørn Ærø</td>' in page
    assert "Per Vågsbø" not in page


def test_after_retention_the_attendance_data_is_gone_and_the_log_says_so(
    app, organiser_client, make_event, confirmed
):
    event = make_event(capacity=1, retention_days=10)
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård", phone="+47 900 11 222")
    _arrive(organiser_client, event, "Kåre Ødegård")
    assert _walk_in(organiser_client, event, allow_overflow="y").status_code == 303

    clock.set_now(event.ends_at + timedelta(days=10, minutes=1))
    scheduler.run_sweeps(app)
    db.session.rollback()
    for person in db.session.scalars(db.select(Registration)):
        assert (person.name, person.email, person.phone, person.organisation) == ("", "", "", "")
        assert person.checked_in_at is None and person.erased_at is not None
    stored = " ".join(_every_text_value())
    for value in ("Kåre", "Kværnø", "Sjømat Øst", "911 22 333", "900 11 222", "fjordbruk"):
        assert value not in stored, value
    [entry] = db.session.scalars(db.select(AuditEntry).filter_by(action="erase"))
    assert entry.event_id == event.id and entry.detail == "2 påmeldinger, 2 ankomster"
    csv_text = organiser_client.get(f"/organiser/events/{event.slug}/attendance.csv").data
    assert csv_text.decode("utf-8-sig").count("\r\n") == 1, "the header only"
    log = organiser_client.get("/organiser/audit").get_data(as_text=True)
    assert "slettet personopplysningene etter lagringstiden" in log and "(automatisk)" in log


def test_the_door_role_reaches_what_the_role_table_says(door_client):
    base = "/organiser/events/dor"
    for path in ("/checkin", "/walk-in", "/door-list"):
        assert door_client.get(base + path).status_code == 200, path
    for path in ("/attendance", "/attendance.csv", "/kitchen", "/"):
        assert door_client.get(base + path).status_code == 403, path
    assert _walk_in(door_client, _event("dor")).status_code == 303
    db.session.rollback()
    [entry] = db.session.scalars(db.select(AuditEntry).filter_by(action="walk_in"))
    assert entry.organiser.email == DOOR_EMAIL
    page = door_client.get(base + "/checkin").get_data(as_text=True)
    assert "Legg til en som ikke er påmeldt" in page and "Oppmøteliste" not in page


def _event(slug: str) -> Event:
    return db.session.scalar(db.select(Event).filter_by(slug=slug))


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_walk_in_migration_keeps_every_link_to_a_registration(tmp_path, backend):
    """Down and up again: outbox rows still name their registration (no table copy on SQLite)."""
    from sqlalchemy import text

    from app import create_app
    from conftest import create_event, empty_database_url

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, backend)})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        event = create_event(title="Temamøte på Ærøy")
        signups.sign_up(event, event.groups[0], {"name": "Åse Ødegård", "email": "ase@example.no"})
        db.session.remove()
        db.engine.dispose()
    for step in (["db", "downgrade", "c4a7e2f19d3b"], ["db", "upgrade"]):
        result = runner.invoke(args=step)
        assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            links = connection.execute(text("SELECT registration_id FROM outbox_message")).all()
            walk_ins = connection.execute(text("SELECT walk_in FROM registration")).scalars()
            assert [row[0] for row in links] == [1] and list(walk_ins) == [False]
        db.engine.dispose()


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_walk_ins_and_confirmations_at_once_never_overbook(app, make_event, sign_up):
    """Six walk-ins and six confirmations race for four seats: four seated, nobody over."""
    from test_concurrency import own, run_together

    from signup.core import admission, walkins
    from signup.core.errors import Refusal, Refused

    event = make_event(capacity=4)
    people = [sign_up(event, f"person{n}@example.no", "andre").public_id for n in range(6)]
    door = [
        walkins.WalkIn(name=f"Ørjan Åsen {n}", organisation="Sjømat Øst AS",
                       phone="+47 911 22 333", group_key="andre")
        for n in range(6)
    ]  # fmt: skip
    refused: list[Refusal] = []

    def walk_in(person):
        try:
            admission.admit_walk_in(event.id, person, by="dorvakt")
        except Refused as refusal:
            refused.append(refusal.reason)

    calls = [lambda p=p: admission.confirm(own(p)) for p in people]
    calls += [lambda w=w: walk_in(w) for w in door]
    assert run_together(app, calls) == []
    db.session.rollback()
    seated = db.session.scalars(
        db.select(Registration).where(Registration.state == State.ADMITTED)
    ).all()
    assert len(seated) == 4
    walked_in = sum(person.walk_in for person in seated)
    assert refused == [Refusal.FULL] * (6 - walked_in)
    assert all(person.checked_in_at is not None for person in seated if person.walk_in)
