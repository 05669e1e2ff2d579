"""Operator commands: `flask event load/status`, and the migrations matching the models."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from conftest import count_rows, csrf_from
from signup.core import events, signups
from signup.extensions import db
from signup.models import AuditEntry, Event, OutboxMessage, PriorityGroup, State

SEED = Path(__file__).resolve().parent.parent / "events" / "temamote-industri-2021.toml"


def load(runner, path):
    return runner.invoke(args=["event", "load", str(path)])


def test_load_the_seed_meeting(runner):
    result = load(runner, SEED)

    assert result.exit_code == 0, result.output
    assert "created event temamote-industri-2021" in result.output
    event = events.by_slug("temamote-industri-2021")
    # 14:00 in Oslo in August (summer time) is 12:00 UTC.
    assert event.starts_at == datetime(2021, 8, 20, 12, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2021, 8, 20, 15, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2021, 8, 20, 8, 0, tzinfo=UTC)
    assert event.priority_until == datetime(2021, 8, 13, 10, 0, tzinfo=UTC)
    assert event.briefing_at == datetime(2021, 8, 19, 10, 0, tzinfo=UTC)
    assert event.quiet_hours is True
    assert [(g.key, g.rank) for g in event.groups] == [
        ("profilgruppa", 1),
        ("sjomatklyngen", 1),
        ("andre", 2),
    ]


def test_loading_again_with_force_updates_the_same_event(runner, tmp_path):
    load(runner, SEED)
    changed = tmp_path / "changed.toml"
    changed.write_text(
        SEED.read_text("utf-8")
        .replace("capacity = 60", "capacity = 55")
        .replace('title = "Temamøte industri"', 'title = "Temamøte industri 2021"'),
        "utf-8",
    )

    result = runner.invoke(args=["event", "load", "--force", str(changed)])

    assert result.exit_code == 0, result.output
    assert "updated event temamote-industri-2021: 2 change(s)" in result.output
    assert count_rows(Event) == 1
    assert count_rows(PriorityGroup) == 3
    event = events.by_slug("temamote-industri-2021")
    assert (event.title, event.capacity) == ("Temamøte industri 2021", 55)


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("capacity = 60", "capasity = 60", "capasity"),
        ("capacity = 60", 'capacity = "seksti"', "capacity"),
        ("offer_hours = 24", "offer_hours = -1", "offer_hours"),
        ("quiet_hours = true", 'quiet_hours = "ja"', "quiet_hours"),
        ("ends_at = 2021-08-20T17:00:00", "ends_at = 2021-08-20T13:00:00", "ends_at"),
        ('timezone = "Europe/Oslo"', 'timezone = "Europa/Finnsnes"', "timezone"),
        ("rank = 2", "rank = 0", "groups.rank"),
    ],
)
def test_malformed_file_names_key_and_line_and_changes_nothing(runner, tmp_path, old, new, key):
    load(runner, SEED)
    text = SEED.read_text("utf-8")
    assert old in text
    broken = text.replace(old, new).replace("capacity = 60", "capacity = 61")
    path = tmp_path / "broken.toml"
    path.write_text(broken, "utf-8")

    result = load(runner, path)

    assert result.exit_code != 0
    line = line_of(broken, new.split(" = ")[0] if key != "groups.rank" else new)
    if key == "groups.rank":
        line = max(n for n, row in enumerate(broken.splitlines(), 1) if row == "[[groups]]")
    assert f"{key} (line {line})" in result.output
    db.session.rollback()
    assert events.by_slug("temamote-industri-2021").capacity == 60


def test_toml_syntax_error_names_the_line_and_changes_nothing(runner, tmp_path):
    path = tmp_path / "syntax.toml"
    path.write_text('slug = "x"\ntitle = "Møte\ncapacity = 10\n', "utf-8")
    result = load(runner, path)
    assert result.exit_code != 0
    assert "not valid TOML" in result.output
    assert "line 2" in result.output
    assert count_rows(Event) == 0


def test_status_json_has_the_documented_shape(runner, make_event, confirmed):
    event = make_event(capacity=1)
    confirmed(event, "plass@example.no")
    confirmed(event, "vent@example.no", "andre")

    result = runner.invoke(args=["event", "status", event.slug, "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"slug", "capacity", "counts", "registrations"}
    assert data["slug"] == event.slug
    assert data["capacity"] == 1
    assert data["counts"]["admitted"] == 1
    assert data["counts"]["waitlisted"] == 1
    assert set(data["counts"]) == {
        "unconfirmed", "admitted", "waitlisted", "offered", "declined", "lapsed", "cancelled",
        "transferred",
    }  # fmt: skip
    assert data["registrations"] == [
        {"email": "plass@example.no", "group": "medlem", "state": "admitted", "position": None},
        {"email": "vent@example.no", "group": "andre", "state": "waitlisted", "position": 1},
    ]


def test_migrations_build_the_schema_the_models_describe(tmp_path, smtp):
    fresh_db = tmp_path / "migrated.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{fresh_db}"})
    runner = app.test_cli_runner()

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    checked = runner.invoke(args=["db", "check"])

    assert checked.exit_code == 0, checked.output
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"event", "priority_group", "registration", "outbox_message"} <= tables


# -- issue 13, item 11: the database is the source of truth once the event exists ----------

SLUG = "temamote-industri-2021"


def load_demo(runner, *options):
    """`flask event load --demo` of the seed meeting (dated ahead of the tests' clock)."""
    return runner.invoke(args=["event", "load", "--demo", *options, str(SEED)])


def organiser_edits(organiser_client, capacity: int, offer_hours: int, briefing: str) -> None:
    """Change seats, offer window and briefing through the dashboard's forms."""
    base = f"/organiser/events/{SLUG}"
    for path, data in [
        ("capacity", {"capacity": capacity}),
        ("texts", {"offer_hours": offer_hours, "briefing": briefing}),
    ]:
        token = csrf_from(organiser_client.get(f"{base}/settings").get_data(as_text=True))
        response = organiser_client.post(f"{base}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 303


def entries(action: str) -> list[AuditEntry]:
    db.session.rollback()
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


@pytest.fixture
def edited_demo(runner, organiser_client, confirmed, monkeypatch):
    """The demo loaded, then changed by an organiser: 1 seat, 6 h offers, own briefing.

    Åse holds the one seat and Øystein waits.
    """
    monkeypatch.setenv("SUDO_USER", "bjørn")
    assert load_demo(runner).exit_code == 0
    organiser_edits(organiser_client, 1, 6, "Husk munnbind i gangene.\\n\\nVelkommen!")
    event = events.by_slug(SLUG)
    aase = confirmed(event, "aase@finnfjord.no", "profilgruppa", name="Åse Bjørnå")
    oystein = confirmed(event, "oystein@finnfjord.no", "profilgruppa", name="Øystein Ærø")
    assert (aase.state, oystein.state) == (State.ADMITTED, State.WAITLISTED)
    return event


def test_loading_an_edited_event_again_shows_the_changes_and_keeps_the_organisers(
    runner, edited_demo, smtp
):
    result = load_demo(runner)

    assert result.exit_code == 1
    assert "capacity: 1 -> 60" in result.output
    assert "offer_hours: 6 -> 24" in result.output
    assert "    -Husk munnbind i gangene." in result.output
    assert "    +Store auditorium er satt opp" in result.output
    assert "nothing was changed" in result.output and "--force" in result.output
    event = events.by_slug(SLUG)
    assert (event.capacity, event.offer_hours) == (1, 6)
    assert event.briefing == "Husk munnbind i gangene.\\n\\nVelkommen!"
    assert signups.find(event, "oystein@finnfjord.no").state == State.WAITLISTED
    assert count_rows(OutboxMessage, OutboxMessage.kind == "offer") == 0
    assert [e.detail for e in entries("event_load")] == ["opprettet fra fil"]


def test_force_applies_the_changes_through_the_admission_rules_and_audits_them(
    runner, edited_demo, organiser_client, smtp
):
    result = load_demo(runner, "--force")

    assert result.exit_code == 0, result.output
    assert "3 change(s) applied and audited" in result.output
    assert "1 waitlist offer(s) sent" in result.output
    event = events.by_slug(SLUG)
    assert (event.capacity, event.offer_hours) == (60, 24)
    assert signups.find(event, "oystein@finnfjord.no").state == State.OFFERED
    assert smtp.wait_for("oystein@finnfjord.no", 3)[-1]["Subject"].startswith("Du har fått tilbud")
    entry = entries("event_load")[-1]
    assert (entry.operator, entry.organiser_id) == ("bjørn", None)
    assert entry.detail == "fra fil: briefing endret; capacity 1 -> 60; offer_hours 6 -> 24"
    page = organiser_client.get("/organiser/audit").get_data(as_text=True)
    assert "bjørn på kommandolinjen" in page
    assert "lastet møtet fra fil" in page


def test_loading_an_unchanged_event_changes_nothing_and_is_no_error(runner, app):
    assert load_demo(runner).exit_code == 0

    result = load_demo(runner)

    assert result.exit_code == 0, result.output
    assert "already matches the file; nothing to change" in result.output
    assert len(entries("event_load")) == 1


def test_create_only_leaves_an_existing_event_as_the_organiser_has_it(runner, edited_demo):
    result = load_demo(runner, "--create-only")

    assert result.exit_code == 0, result.output
    assert "exists and is left as it is" in result.output
    assert events.by_slug(SLUG).capacity == 1


def test_times_are_printed_in_the_events_zone(runner, tmp_path):
    result = load(runner, SEED)
    assert "2021-08-20 14:00 CEST" in result.output
    moved = tmp_path / "moved.toml"
    moved.write_text(
        SEED.read_text("utf-8").replace(
            "starts_at = 2021-08-20T14:00", "starts_at = 2021-08-20T13:00"
        ),
        "utf-8",
    )

    result = load(runner, moved)

    assert "(times in Europe/Oslo)" in result.output
    assert "starts_at: 2021-08-20 14:00 -> 2021-08-20 13:00" in result.output
    status = runner.invoke(args=["event", "status", SLUG])
    assert "Temamøte industri (temamote-industri-2021), 2021-08-20 14:00 CEST" in status.output


MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"


@pytest.mark.parametrize("options", [[], ["--demo"]])
def test_the_meetings_description_names_no_date_that_could_go_stale(runner, options):
    """The page shows the date from starts_at; a date in the text would lie after --demo."""
    assert runner.invoke(args=["event", "load", *options, str(SEED)]).exit_code == 0

    description = events.by_slug(SLUG).description

    assert "Kunnskapsparken Finnsnes" in description
    assert not re.search(rf"\b\d{{1,2}}\.\s*({MONTHS})\b", description, re.IGNORECASE)


def test_removing_a_group_in_use_is_refused_and_changes_nothing(runner, edited_demo, tmp_path):
    text = SEED.read_text("utf-8").replace("capacity = 60", "capacity = 61")
    without = tmp_path / "without.toml"
    without.write_text(text.replace('key = "profilgruppa"', 'key = "medlemmer"'), "utf-8")

    result = runner.invoke(args=["event", "load", "--demo", "--force", str(without)])

    assert result.exit_code == 1
    assert "group 'profilgruppa' has registrations" in result.output
    assert events.by_slug(SLUG).capacity == 1
    assert len(entries("event_load")) == 1


def test_capacity_and_briefing_commands_are_audited_with_the_operators_name(
    runner, edited_demo, smtp
):
    assert runner.invoke(args=["event", "capacity", SLUG, "2"]).exit_code == 0
    assert runner.invoke(args=["briefing", "send", SLUG]).exit_code == 0

    capacity = entries("capacity")[-1]
    assert (capacity.operator, capacity.detail) == ("bjørn", "1 -> 2; 1 tilbud sendt")
    briefing = entries("briefing_send")[-1]
    assert (briefing.operator, briefing.detail) == ("bjørn", "1 i kø")


# -- issue 15: one definition of an event, exported and loaded back --------------------------


def test_export_then_load_is_a_no_op(runner, tmp_path):
    text = SEED.read_text("utf-8").replace("Profilgruppa", "Profilgruppa på Senja – «Æøå»")
    source = tmp_path / "source.toml"
    source.write_text(text.replace('slug = "temamote', 'slug = "eksport-temamote'), "utf-8")
    assert load(runner, source).exit_code == 0
    exported = tmp_path / "exported.toml"

    printed = runner.invoke(args=["event", "export", "eksport-temamote-industri-2021"])
    written = runner.invoke(
        args=["event", "export", "eksport-temamote-industri-2021", "-o", str(exported)]
    )

    assert printed.exit_code == 0 and written.exit_code == 0, printed.output + written.output
    assert printed.stdout == exported.read_text("utf-8")
    assert 'organiser_name = "Profilgruppa på Senja – «Æøå»"' in printed.stdout
    assert "starts_at = 2021-08-20T14:00:00" in printed.stdout
    again = load(runner, exported)
    assert again.exit_code == 0, again.output
    assert "already matches the file; nothing to change" in again.output
    assert len(entries("event_load")) == 1


def test_an_edited_event_exports_what_the_organiser_set(runner, edited_demo, tmp_path):
    exported = tmp_path / "edited.toml"
    runner.invoke(args=["event", "export", SLUG, "-o", str(exported)])

    assert "capacity = 1\n" in exported.read_text("utf-8")
    again = load(runner, exported)
    assert again.exit_code == 0, again.output + exported.read_text("utf-8")
    assert "already matches" in again.output
    assert load_demo(runner).exit_code == 1  # the seed file now differs, and says how


def test_export_of_an_unknown_event_says_so(runner):
    result = runner.invoke(args=["event", "export", "finnes-ikke-på-senja"])

    assert result.exit_code != 0
    assert "no event with slug" in result.output


@pytest.mark.parametrize(
    "field, posted, message",
    [
        ("capacity", "-1", "Antall plasser må være mellom 0 og 100 000."),
        ("offer_hours", "0", "Svarfristen må være mellom 0,1 og 336 timer."),
        ("contact_email", "Sjømat Norge", "Skriv en gyldig e-postadresse"),
    ],
)
def test_the_file_and_the_form_give_the_same_message(runner, tmp_path, field, posted, message):
    """One definition: the loader reports the dashboard form's Norwegian message for the field."""
    text = SEED.read_text("utf-8")
    value = posted if field != "contact_email" else f'"{posted}"'
    broken = re.sub(rf"(?m)^{field} = .*$", f"{field} = {value}", text)
    path = tmp_path / "broken.toml"
    path.write_text(broken, "utf-8")

    result = load(runner, path)

    assert result.exit_code != 0
    assert f"{field} (line {line_of(broken, field + ' =')}): {message}" in result.output
    assert count_rows(Event) == 0


def test_force_with_a_new_time_sends_each_seat_holder_the_updated_calendar(
    runner, edited_demo, smtp, tmp_path
):
    moved = tmp_path / "moved.toml"
    text = SEED.read_text("utf-8")
    moved.write_text(text.replace("T14:00:00", "T15:00:00"), "utf-8")

    result = runner.invoke(args=["event", "load", "--demo", "--force", str(moved)])

    assert result.exit_code == 0, result.output
    assert "1 people with a seat are sent the new time or place" in result.output
    notice = smtp.wait_for("aase@finnfjord.no", 3)[-1]
    assert notice["Subject"] == "Endret tid eller sted: Temamøte industri"
    assert count_rows(OutboxMessage, OutboxMessage.kind == "event_changed") == 1
