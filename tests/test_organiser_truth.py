"""Dashboard messages that tell the truth: failed offers, membership badges, saved texts."""

from __future__ import annotations

from sqlalchemy import update

from conftest import csrf_from, html_of
from signup.core import admission, briefing, members
from signup.extensions import db
from signup.mail import worker
from signup.models import AuditEntry, Event, MessageState, OutboxMessage


def _post(client, path: str, **data):
    token = csrf_from(client.get("/organiser/").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 303
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _offers_section(page: str) -> str:
    return page.split('id="offers-heading"', 1)[1].split("</section>", 1)[0]


def test_a_failed_email_to_someone_with_an_open_offer_shows_on_the_overview(
    app, organiser_client, make_event, confirmed
):
    worker.stop_worker(app)  # the rows stay where the test puts them
    event = make_event(capacity=1)
    kare = confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård")
    sol = confirmed(event, "sol@fjordbruk.no", name="Sølvi Åsheim")
    page = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert "feilet" not in _offers_section(page)
    admission.cancel(kare)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id == sol.id, OutboxMessage.kind == "offer")
        .values(state=MessageState.FAILED)
    )
    db.session.commit()
    page = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    offers = _offers_section(page)
    assert "Sølvi Åsheim" in offers
    assert "e-post til personen feilet" in offers
    assert "1 med åpent tilbud har ikke fått e-posten om det." in offers


def test_the_membership_badge_says_what_it_means_and_only_where_a_list_exists(
    organiser_client, make_event, sign_up
):
    event = make_event()
    outsider = sign_up(event, "aase@gmail.com", group="medlem", name="Åse Ødegård")
    path = f"/organiser/events/{event.slug}/"
    person = f"{path}people/{outsider.id}"
    for url in (path, person):
        page = organiser_client.get(url).get_data(as_text=True)
        assert "check-unverified" not in page and "medlemskap ikke sjekket" not in page
    assert "Godta gruppen" not in organiser_client.get(person).get_data(as_text=True)
    _post(
        organiser_client,
        f"/organiser/events/{event.slug}/groups/medlem/domains",
        **{"medlem-domains": "fjordbruk.no"},
    )
    for url in (path, person):
        assert "medlemskap ikke sjekket" in organiser_client.get(url).get_data(as_text=True)
    assert "Godta gruppen" in organiser_client.get(person).get_data(as_text=True)
    assert members.groups_with_domains(event) == {event.groups[0].id}


def test_briefing_saved_from_the_dashboard_keeps_its_paragraphs(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event()
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård")
    text = "Bli hjemme når du er syk.\r\n\r\nVask hendene med såpe før du går til bords."
    _post(
        organiser_client, f"/organiser/events/{event.slug}/texts", briefing=text, offer_hours="24"
    )
    db.session.expire_all()
    saved = db.session.get(Event, event.id).briefing
    assert "\r" not in saved and saved.count("\n\n") == 1
    briefing.send_briefing(event.id, early=True)
    sent = next(
        message
        for message in smtp.wait_for("kare@fjordbruk.no", 3)
        if "Vask hendene" in html_of(message)
    )
    assert "<p>Vask hendene med såpe før du går til bords.</p>" in html_of(sent)


def test_the_audit_log_records_only_the_fields_that_changed(organiser_client, make_event):
    # As an event file gives it: LF line ends; the browser posts the same text with CRLF.
    event = make_event(briefing="Bli hjemme når du er syk.\n\nHold avstand på Kjøkkenøya.\n")
    posted = "Bli hjemme når du er syk.\r\n\r\nHold avstand på Kjøkkenøya."
    path = f"/organiser/events/{event.slug}/texts"
    _post(organiser_client, path, briefing=posted, offer_hours="12")
    page = _post(organiser_client, path, briefing=posted, offer_hours="12")
    assert "Ingenting å lagre" in page
    details = db.session.scalars(
        db.select(AuditEntry.detail).where(AuditEntry.action == "texts")
    ).all()
    assert details == ["svarfrist 24 -> 12 t"]
    assert db.session.get(Event, event.id).offer_hours == 12


def test_saving_the_same_capacity_writes_no_audit_entry(organiser_client, make_event):
    event = make_event(capacity=40, title="Årsmøte på Ørland")
    path = f"/organiser/events/{event.slug}/capacity"
    _post(organiser_client, path, capacity="40")
    _post(organiser_client, path, capacity="45")
    details = db.session.scalars(
        db.select(AuditEntry.detail).where(AuditEntry.action == "capacity")
    ).all()
    assert details == ["40 -> 45; 0 tilbud sendt"]
