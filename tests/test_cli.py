"""Operator commands: `flask event load/status`, and the migrations matching the models."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from conftest import count_rows
from signup import events
from signup.extensions import db
from signup.models import Event, PriorityGroup

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


def test_loading_again_updates_the_same_event(runner, tmp_path):
    load(runner, SEED)
    changed = tmp_path / "changed.toml"
    changed.write_text(
        SEED.read_text("utf-8")
        .replace("capacity = 60", "capacity = 55")
        .replace('title = "Temamøte industri"', 'title = "Temamøte industri 2021"'),
        "utf-8",
    )

    result = load(runner, changed)

    assert result.exit_code == 0, result.output
    assert "updated event temamote-industri-2021" in result.output
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
        "unconfirmed", "admitted", "waitlisted", "offered", "declined", "lapsed", "cancelled"
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
