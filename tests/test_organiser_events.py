"""Organisers make and run events in the dashboard (issue 15): create, publish, edit, cancel."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from conftest import count_rows, csrf_from, submit_signup, words_of
from signup import clock
from signup.core import events, signups
from signup.extensions import db
from signup.models import AuditEntry, Event, EventStatus, OutboxMessage, State


def local(moment) -> str:
    """A form's local date-time for a moment (the events are in Oslo)."""
    return moment.astimezone(events.ZoneInfo("Europe/Oslo")).strftime("%Y-%m-%dT%H:%M")


def event_form(**changes) -> dict:
    """What an organiser types for a new meeting, two weeks ahead."""
    starts = clock.now() + timedelta(days=14)
    form = {
        "title": "Sjømatdagen på Senja – «Æøå»",
        "slug": "",
        "venue": "Kunnskapsparken Finnsnes, Store auditorium",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=3)),
        "timezone": "Europe/Oslo",
        "capacity": "2",
        "reserved_seats": "0",
        "offer_hours": "24",
        "quiet_hours": "y",
        "retention_days": "10",
        "description": "Velkommen til **Sjømatdagen**.",
        "briefing": "Hold avstand og vask hendene.",
        "organiser_name": "Sjømatklyngen Senja",
        "contact_email": "post@sjomatklyngen.no",
        "groups-0-label": "Medlemsbedrift i Sjømatklyngen",
        "groups-0-rank": "1",
        "groups-1-label": "Andre",
        "groups-1-rank": "2",
        "groups-2-label": "",
        "groups-2-rank": "1",
    }
    form.update(changes)
    return form


def post(client, path: str, expect: int = 303, **data):
    token = csrf_from(client.get("/organiser/").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == expect, response.get_data(as_text=True)[:800]
    return response


def create(client, **changes) -> Event:
    post(client, "/organiser/events/new", **event_form(**changes))
    db.session.expire_all()
    return db.session.scalars(db.select(Event).order_by(Event.id.desc())).first()


def test_an_organiser_creates_a_draft_the_public_cannot_see(organiser_client, app):
    event = create(organiser_client)

    assert event.slug == "sjomatdagen-pa-senja-aeoa"
    assert event.status == EventStatus.DRAFT
    assert [(g.key, g.label, g.rank) for g in event.groups] == [
        ("medlemsbedrift-i-sjomatklyngen", "Medlemsbedrift i Sjømatklyngen", 1),
        ("andre", "Andre", 2),
    ]
    assert (event.capacity, event.contact_email) == (2, "post@sjomatklyngen.no")
    assert local(event.starts_at) == event_form()["starts_at"]
    preview = organiser_client.get(f"/organiser/events/{event.slug}/preview")
    assert preview.status_code == 200
    assert "Forhåndsvisning for arrangører" in preview.get_data(as_text=True)
    public = app.test_client()
    assert public.get(f"/events/{event.slug}/").status_code == 404
    assert "Sjømatdagen" not in public.get("/").get_data(as_text=True)


def test_publishing_opens_sign_up(organiser_client, app):
    event = create(organiser_client)

    post(organiser_client, f"/organiser/events/{event.slug}/publish")

    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    assert (
        submit_signup(organiser_client, event, "aase@sjomatklyngen.no", "andre").status_code == 303
    )
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.detail) == ("event_status", "draft -> published")


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("title", "", "Dette feltet må fylles ut."),
        ("capacity", "mange", "Ikke en gyldig heltallsverdi"),
        ("capacity", "-3", "Antall plasser må være mellom 0 og 100 000."),
        ("ends_at", "2031-01-01T10:00", "Slutten må være etter starten."),
        ("contact_email", "Sjømat Norge", "Skriv en gyldig e-postadresse"),
        ("slug", "Æøå møte", "Adressen kan bare ha a–z, 0–9 og -"),
        ("groups-0-label", "", "Lag minst én gruppe."),
        ("starts_at", "0001-01-01T00:30", "Velg en dato mellom år 2000 og 2200."),
        ("starts_at", "i morgen", "Skriv dato og klokkeslett, f.eks. 2031-08-20T14:00."),
        ("offer_hours", "nan", "Svarfristen må være mellom 0,1 og 336 timer."),
        ("timezone", "Europa/Finnsnes", "Skriv en tidssone som Europe/Oslo."),
        ("description", "Hei\x00", "Feltet kan ikke inneholde kontrolltegn."),
    ],
)
def test_field_errors_are_shown_and_nothing_is_saved(organiser_client, field, typed, message):
    changes = {field: typed}
    if field == "groups-0-label":
        changes["groups-1-label"] = ""
    response = post(organiser_client, "/organiser/events/new", expect=422, **event_form(**changes))

    assert message in response.get_data(as_text=True)
    assert count_rows(Event) == 0


def test_an_address_in_use_is_refused(organiser_client, make_event):
    make_event(slug="sjomatdagen")

    response = post(
        organiser_client, "/organiser/events/new", expect=422, **event_form(slug="sjomatdagen")
    )

    assert "Adressen er i bruk" in response.get_data(as_text=True)
    assert count_rows(Event) == 1


# -- editing, duplicating and cancelling a published event ---------------------------------


def ics_of(mail) -> Calendar:
    part = next(p for p in mail.iter_attachments() if p.get_filename() == "invitasjon.ics")
    return Calendar.from_ical(part.get_payload(decode=True))


def edit(client, event: Event, expect: int = 303, **changes):
    """Post the edit form as it is filled for the event, with `changes` typed over it."""
    page = client.get(f"/organiser/events/{event.slug}/edit").get_data(as_text=True)
    assert 'value="Kunnskapsparken' in page or 'value="Store' in page
    form = {
        "title": event.title, "slug": event.slug, "venue": event.venue,
        "starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
        "registration_closes_at": local(event.registration_closes_at),
        "briefing_at": local(event.briefing_at), "timezone": event.timezone,
        "capacity": str(event.capacity), "reserved_seats": "0", "offer_hours": "24",
        "quiet_hours": "y", "retention_days": "10", "description": event.description,
        "briefing": event.briefing, "organiser_name": "", "contact_email": "",
    }  # fmt: skip
    for index, group in enumerate(event.groups):
        form |= {
            f"groups-{index}-key": group.key,
            f"groups-{index}-label": group.label,
            f"groups-{index}-rank": str(group.rank),
        }
    return post(client, f"/organiser/events/{event.slug}/edit", expect=expect, **form | changes)


def test_raising_capacity_offers_at_once_and_lowering_removes_nobody(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    aase = confirmed(event, "aase@finnfjord.no", name="Åse Bjørnå")
    oystein = confirmed(event, "oystein@finnfjord.no", name="Øystein Ærø")
    assert oystein.state == State.WAITLISTED

    edit(organiser_client, event, capacity="2")
    assert smtp.wait_for("oystein@finnfjord.no", 3)[-1]["Subject"].startswith("Du har fått tilbud")

    db.session.expire_all()
    edit(organiser_client, event, capacity="0")
    page = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert "2 over kapasiteten" in page and "ingen er fjernet" in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 0
    assert [signups.find(event, r.email).state for r in (aase, oystein)] == [
        State.ADMITTED,
        State.OFFERED,
    ]


def test_moving_the_start_asks_first_then_sends_each_seat_holder_an_updated_calendar(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    confirmed(event, "aase@finnfjord.no", name="Åse Bjørnå")
    confirmed(event, "oystein@finnfjord.no", name="Øystein Ærø")  # waitlisted: no calendar
    [admitted] = [m for m in smtp.wait_for("aase@finnfjord.no", 2) if "plass" in m["Subject"]]
    before = ics_of(admitted).walk("VEVENT")[0]
    later = local(event.starts_at + timedelta(hours=1))

    asked = edit(organiser_client, event, expect=200, starts_at=later)
    assert "1 person med plass får en oppdatert kalenderoppføring" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).starts_at == event.starts_at
    edit(organiser_client, event, starts_at=later, confirmed="1")

    notice = smtp.wait_for("aase@finnfjord.no", 3)[-1]
    assert notice["Subject"] == "Endret tid eller sted: Temamøte industri"
    assert "Du har fortsatt plass" in words_of(notice)
    moved = ics_of(notice).walk("VEVENT")[0]
    assert moved["UID"] == before["UID"]
    assert moved["SEQUENCE"] > before["SEQUENCE"]
    assert moved.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(hours=1)
    kinds = db.session.scalars(
        db.select(OutboxMessage.kind).where(OutboxMessage.kind == "event_changed")
    )
    assert len(list(kinds)) == 1


def test_the_address_is_fixed_after_the_first_sign_up(organiser_client, make_event, confirmed):
    event = make_event(slug="temamote-senja")
    confirmed(event, "aase@finnfjord.no")

    refused = edit(organiser_client, event, expect=422, slug="nytt-navn-på-møtet")

    assert "Adressen kan ikke endres" in refused.get_data(as_text=True)
    assert events.by_slug("temamote-senja") is not None


def test_a_group_in_use_cannot_be_removed_but_renamed_and_reranked(
    organiser_client, make_event, confirmed
):
    event = make_event()
    confirmed(event, "aase@finnfjord.no", "medlem")

    refused = edit(organiser_client, event, expect=422, **{"groups-0-label": ""})
    assert "kan ikke fjernes" in refused.get_data(as_text=True)
    edit(
        organiser_client,
        event,
        **{"groups-0-label": "Medlem av Sjømatklyngen", "groups-1-rank": "1"},
    )

    db.session.expire_all()
    groups = db.session.get(Event, event.id).groups
    assert [(g.key, g.label, g.rank) for g in groups] == [
        ("medlem", "Medlem av Sjømatklyngen", 1),
        ("andre", "Andre", 1),
    ]


def test_duplicating_copies_groups_texts_and_settings_but_nobody(
    organiser_client, make_event, confirmed
):
    event = make_event(slug="sjomatdagen", briefing="Hold avstand på Skaland.", capacity=7)
    confirmed(event, "aase@finnfjord.no")

    response = post(organiser_client, "/organiser/events/sjomatdagen/duplicate")

    assert response.headers["Location"].endswith("/organiser/events/sjomatdagen-kopi/edit")
    copy = events.by_slug("sjomatdagen-kopi")
    assert copy.status == EventStatus.DRAFT
    assert (copy.title, copy.briefing, copy.capacity) == (event.title, event.briefing, 7)
    assert [(g.key, g.rank) for g in copy.groups] == [("medlem", 1), ("andre", 2)]
    assert count_rows(events.Registration, events.Registration.event_id == copy.id) == 0


def test_cancelling_the_event_tells_everyone_and_withdraws_calendars(
    organiser_client, make_event, confirmed, smtp, app
):
    event = make_event(capacity=1)
    confirmed(event, "aase@finnfjord.no", name="Åse Bjørnå")
    confirmed(event, "oystein@finnfjord.no", name="Øystein Ærø")

    post(organiser_client, f"/organiser/events/{event.slug}/cancel")  # not ticked: nothing
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    post(organiser_client, f"/organiser/events/{event.slug}/cancel", sure="avlys")

    seat = smtp.wait_for("aase@finnfjord.no", 3)[-1]
    waiting = smtp.wait_for("oystein@finnfjord.no", 3)[-1]
    assert seat["Subject"] == waiting["Subject"] == "Avlyst: Temamøte industri"
    assert "arrangøren har avlyst Temamøte industri" in words_of(seat)
    assert ics_of(seat)["METHOD"] == "CANCEL"
    assert not any(p.get_filename() for p in waiting.iter_attachments())
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED
    public = app.test_client()
    page = public.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Møtet er avlyst." in page and "Meld deg på" not in page


def test_closing_stops_sign_up_and_publishing_again_reopens_it(organiser_client, make_event, app):
    event = make_event()
    public = app.test_client()

    post(organiser_client, f"/organiser/events/{event.slug}/close")
    assert "Påmeldingen er stengt." in public.get(f"/events/{event.slug}/").get_data(as_text=True)
    post(organiser_client, f"/organiser/events/{event.slug}/publish")

    # (the organiser's browser: the test app keeps one CSRF token per app context)
    assert submit_signup(organiser_client, event, "aase@finnfjord.no").status_code == 303


def test_an_event_made_in_the_browser_exports_to_a_file_that_loads_as_no_change(
    organiser_client, runner, tmp_path
):
    event = create(organiser_client, description="Velkommen til **Skaland**.\n\n- Kaffe\n- Kake")
    path = tmp_path / "sjomatdagen.toml"

    assert runner.invoke(args=["event", "export", event.slug, "-o", str(path)]).exit_code == 0
    loaded = runner.invoke(args=["event", "load", str(path)])

    assert loaded.exit_code == 0, loaded.output
    assert "already matches the file; nothing to change" in loaded.output
    edited = path.read_text("utf-8").replace("capacity = 2", "capacity = 3")
    path.write_text(edited, "utf-8")
    refused = runner.invoke(args=["event", "load", str(path)])
    assert refused.exit_code == 1 and "capacity: 2 -> 3" in refused.output
    db.session.expire_all()
    assert events.by_slug(event.slug).capacity == 2


def test_nobody_logged_out_creates_publishes_or_cancels(app, make_event):
    event = make_event(status=EventStatus.DRAFT)
    anonymous = app.test_client()
    token = csrf_from(anonymous.get("/organiser/login").get_data(as_text=True))

    for path in (
        "/organiser/events/new",
        *(
            f"/organiser/events/{event.slug}/{action}"
            for action in ("publish", "cancel", "duplicate", "edit")
        ),
    ):
        response = anonymous.post(path, data={"csrf_token": token, **event_form(), "sure": "avlys"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/organiser/login")

    db.session.expire_all()
    assert count_rows(Event) == 1
    assert db.session.get(Event, event.id).status == EventStatus.DRAFT


def test_an_unused_group_is_removed_and_a_new_one_added(organiser_client, make_event, confirmed):
    event = make_event()
    confirmed(event, "aase@finnfjord.no", "medlem")

    edit(
        organiser_client,
        event,
        **{"groups-1-label": "", "groups-2-label": "Sjømatklyngen Senja", "groups-2-rank": "2"},
    )

    db.session.expire_all()
    groups = db.session.get(Event, event.id).groups
    assert [(g.key, g.label, g.rank) for g in groups] == [
        ("medlem", "Medlem", 1),
        ("sjomatklyngen-senja", "Sjømatklyngen Senja", 2),
    ]
