"""Each organiser action through HTTP with CSRF: audited, visible, seats through admission."""

from datetime import timedelta

from conftest import csrf_from, link_path, text_of
from signup.core import waitlist
from signup.core.lock import begin_write
from signup.extensions import db
from signup.models import AuditEntry, GroupCheck, MessageState, OutboxMessage, Registration, State


def post(client, path: str, **data):
    """Post like the dashboard's forms do (with the session's CSRF token); follow to the page."""
    token = csrf_from(client.get("/organiser/").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def post_back(client, path: str, **data) -> str:
    """Post a settings form that is refused: the page comes back (422) with the errors."""
    token = csrf_from(client.get("/organiser/").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def fresh(registration: Registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def audited() -> list[tuple[str, str]]:
    return [
        (entry.action, entry.detail)
        for entry in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        if entry.action != "login"
    ]


def person_path(event, registration, action: str = "") -> str:
    base = f"/organiser/events/{event.slug}/people/{registration.id}"
    return f"{base}/{action}" if action else base


def test_cancel_offers_the_freed_seat_to_the_next_person_by_email(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    kari = confirmed(event, "kari@finnfjord.no")
    ola = confirmed(event, "ola@finnfjord.no")
    assert ola.state == State.WAITLISTED
    page = post(organiser_client, person_path(event, kari, "cancel"))
    assert "Personen er meldt av" in page
    assert fresh(kari).state == State.CANCELLED
    assert smtp.wait_for("kari@finnfjord.no", 3)[-1]["Subject"].startswith("Du er meldt av")
    offer = smtp.wait_for("ola@finnfjord.no", 3)[-1]
    assert offer["Subject"].startswith("Du har fått tilbud om plass")
    assert link_path(offer, "o")
    assert audited() == [("cancel", "")]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "cancel"))
    assert entry.registration_id == kari.id and entry.organiser.email.startswith("arrangor")
    assert "kari" not in entry.detail


def test_raising_capacity_offers_the_new_seat_at_once(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    ola = confirmed(event, "ola@finnfjord.no")
    page = post(organiser_client, f"/organiser/events/{event.slug}/capacity", capacity="2")
    assert "Antall plasser er nå 2. 1 tilbud om plass er sendt." in page
    assert fresh(ola).state == State.OFFERED
    assert smtp.wait_for("ola@finnfjord.no", 3)[-1]["Subject"].startswith("Du har fått tilbud")
    assert audited() == [("capacity", "1 -> 2; 1 tilbud sendt")]


def test_lowering_capacity_below_the_seats_held_removes_nobody(
    organiser_client, make_event, confirmed
):
    event = make_event(capacity=2)
    confirmed(event, "kari@finnfjord.no")
    confirmed(event, "ola@finnfjord.no")
    page = post(organiser_client, f"/organiser/events/{event.slug}/capacity", capacity="1")
    assert "1 flere har plass enn det er plasser" in page
    overview = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert "1 over kapasiteten" in overview
    assert waitlist.held_seats(event) == 2


def test_capacity_must_be_a_sensible_number(organiser_client, make_event):
    event = make_event(capacity=3)
    page = post_back(organiser_client, f"/organiser/events/{event.slug}/capacity", capacity="-1")
    assert "Antall plasser må være mellom 0 og 100 000." in page
    assert audited() == []


def test_grant_seat_refuses_beyond_capacity_unless_confirmed(
    organiser_client, make_event, confirmed, smtp
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    ola = confirmed(event, "ola@finnfjord.no")
    page = post(organiser_client, person_path(event, ola, "grant"))
    assert "Møtet er fullt. Kryss av for overbooking" in page
    assert fresh(ola).state == State.WAITLISTED
    page = post(organiser_client, person_path(event, ola, "grant"), allow_overflow="y")
    assert "Personen har fått plass" in page
    assert fresh(ola).state == State.ADMITTED
    assert smtp.wait_for("ola@finnfjord.no", 3)[-1]["Subject"].startswith("Du har plass")
    assert audited() == [("grant_seat", "over kapasitet")]


def test_grant_seat_can_give_a_reserved_seat_to_someone_outside_the_priority_groups(
    organiser_client, make_event, confirmed, frozen_clock
):
    event = make_event(
        capacity=2, reserved_seats=1, priority_until=frozen_clock.now() + timedelta(days=3)
    )
    kari = confirmed(event, "kari@finnfjord.no")
    per = confirmed(event, "per@gmail.com", group="andre")
    assert per.state == State.WAITLISTED  # the free seat is kept for members
    page = post(organiser_client, person_path(event, per, "grant"))
    assert "Personen har fått plass" in page
    assert fresh(per).state == State.ADMITTED
    page = post(organiser_client, person_path(event, kari, "grant"))
    assert "står ikke på ventelisten" in page
    assert audited() == [("grant_seat", "")]


def test_move_group_changes_waitlist_order_and_marks_the_claim_accepted(
    organiser_client, make_event, confirmed
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    early = confirmed(event, "tidlig@finnfjord.no", group="medlem")
    late = confirmed(event, "sen@example.no", group="andre")
    assert [r.id for r in waitlist.waiting(event)] == [early.id, late.id]
    post(organiser_client, person_path(event, early, "move"), group="andre")
    post(organiser_client, person_path(event, late, "move"), group="medlem")
    assert [r.id for r in waitlist.waiting(fresh(early).event)] == [late.id, early.id]
    assert fresh(late).group_check == GroupCheck.ACCEPTED
    assert fresh(early).group_check == GroupCheck.NOT_NEEDED
    assert audited() == [("move_group", "medlem -> andre"), ("move_group", "andre -> medlem")]


def test_member_domains_verify_claims_and_the_organiser_accepts_the_rest(
    organiser_client, make_event, sign_up
):
    event = make_event()
    member = sign_up(event, "kari@finnfjord.no", group="medlem")
    outsider = sign_up(event, "ola@gmail.com", group="medlem")
    public = sign_up(event, "per@gmail.com", group="andre")
    assert member.group_check == GroupCheck.UNVERIFIED
    assert public.group_check == GroupCheck.NOT_NEEDED
    page = post(
        organiser_client,
        f"/organiser/events/{event.slug}/groups/medlem/domains",
        **{"medlem-domains": "Finnfjord.no\n@senja.no"},
    )
    assert "(2 domener). 1 påmeldinger fikk ny status" in page
    assert fresh(member).group_check == GroupCheck.MATCHED
    person = organiser_client.get(person_path(event, outsider)).get_data(as_text=True)
    assert "ikke bekreftet" in person
    page = post(organiser_client, person_path(event, outsider, "accept-group"))
    assert "er godtatt for personen" in page
    assert fresh(outsider).group_check == GroupCheck.ACCEPTED
    newcomer = sign_up(event, "siv@post.senja.no", group="medlem")
    assert newcomer.group_check == GroupCheck.MATCHED
    assert [a for a, _ in audited()] == ["domains", "accept_group"]


def test_a_bad_domain_line_saves_nothing(organiser_client, make_event):
    event = make_event()
    page = post_back(
        organiser_client,
        f"/organiser/events/{event.slug}/groups/medlem/domains",
        **{"medlem-domains": "finnfjord.no\nikke et domene"},
    )
    assert "«ikke» er ikke et domene" in page
    assert audited() == []


def test_resend_sends_the_last_email_again(organiser_client, make_event, confirmed, smtp):
    event = make_event(capacity=1)
    kari = confirmed(event, "kari@finnfjord.no")
    smtp.wait_for("kari@finnfjord.no", 2)
    page = post(organiser_client, person_path(event, kari, "resend"))
    assert "Siste e-post er sendt på nytt" in page
    again = smtp.wait_for("kari@finnfjord.no", 3)[-1]
    assert again["Subject"].startswith("Du har plass")
    assert link_path(again, "m")
    assert audited() == [("resend", "admitted")]


def test_briefing_text_and_offer_window_are_saved_and_audited(
    organiser_client, make_event, confirmed
):
    event = make_event()
    page = post(
        organiser_client,
        f"/organiser/events/{event.slug}/texts",
        briefing="Hold avstand.",
        offer_hours="12",
    )
    assert "Endringene er lagret" in page
    db.session.expire_all()
    assert (event.briefing, event.offer_hours) == ("Hold avstand.", 12.0)
    assert audited() == [("texts", "smittevernsinformasjon; svarfrist 24 -> 12 t")]


def test_failed_email_can_be_sent_again(organiser_client, make_event, confirmed, smtp):
    event = make_event()
    kari = confirmed(event, "kari@finnfjord.no")
    smtp.wait_for("kari@finnfjord.no", 2)
    begin_write()
    message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    message.state, message.last_error = MessageState.FAILED, "SMTPServerDisconnected: boom"
    db.session.commit()
    outbox_page = organiser_client.get(f"/organiser/events/{event.slug}/outbox")
    assert "SMTPServerDisconnected: boom" in outbox_page.get_data(as_text=True)
    page = post(organiser_client, f"/organiser/events/{event.slug}/outbox/{message.id}/requeue")
    assert "E-posten er lagt i kø" in page
    assert "Bekreft" in text_of(smtp.wait_for("kari@finnfjord.no", 3)[-1])
    assert audited() == [("requeue", f"e-post #{message.id} (confirm)")]
    assert kari.id
