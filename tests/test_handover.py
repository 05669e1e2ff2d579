"""Issue 16: a person with a seat hands it to a colleague, through real pages and real SMTP."""

from datetime import datetime, timedelta

import pytest

from conftest import OSLO, csrf_from, fresh, html_of, link_path, log_in, press, words_of
from signup import scheduler
from signup.core import admission, retention, settings, signups, waitlist
from signup.core import handover as handovers
from signup.core.errors import Refusal, Refused
from signup.extensions import db
from signup.models import AuditEntry, GroupCheck, Handover, HandoverState, Registration, State

GIVER = "bjorn@finnfjord.no"
GIVER_NAME = "Bjørn Åsmund Kværnø"
COLLEAGUE = "ase@finnfjord.no"
COLLEAGUE_NAME = "Åse Ødegård"
TITLE = "Temamøte på Ørland: blåskjell og ærlig industri"


def seated(make_event, confirmed, smtp, **values):
    """Bjørn and Ola hold the two seats, Kari waits; returns Bjørn's manage link too."""
    event = make_event(capacity=2, title=TITLE, **values)
    giver = confirmed(
        event, GIVER, name=GIVER_NAME, organisation="Sjømat Øst AS", phone="+47 912 34 567"
    )
    confirmed(event, "ola@finnfjord.no", name="Ola Ærø")
    waiting = confirmed(event, "kari@finnfjord.no", name="Kari Øyen")
    assert (giver.state, waiting.state) == (State.ADMITTED, State.WAITLISTED)
    admitted = smtp.wait_for(GIVER, 2)[1]
    return event, giver, waiting, link_path(admitted, "m")


def hand_over(client, manage: str, name: str = COLLEAGUE_NAME, email: str = COLLEAGUE):
    """Press "Gi plassen til en kollega" on the manage page and fill in the colleague."""
    page = client.get(manage).get_data(as_text=True)
    assert "Gi plassen til en kollega" in page
    form = client.get(f"{manage}/handover")
    assert form.status_code == 200
    data = {"csrf_token": csrf_from(form.get_data(as_text=True)), "name": name, "email": email}
    return client.post(f"{manage}/handover", data=data)


def seats(event) -> tuple[int, int]:
    db.session.rollback()
    return waitlist.held_seats(event), waitlist.free_seats(event)


def the_handover() -> Handover:
    db.session.rollback()
    return db.session.scalars(db.select(Handover)).one()


def calendar_method(mail) -> str | None:
    for part in mail.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method")
    return None


def test_a_colleague_takes_the_seat_and_both_are_told(
    client, organiser, runner, make_event, confirmed, smtp
):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    before = seats(event)

    started = hand_over(client, manage)
    assert started.status_code == 200
    assert "Vi har sendt kollegaen din en e-post" in started.get_data(as_text=True)
    [invite] = smtp.wait_for(COLLEAGUE)
    assert invite["Subject"] == f"{GIVER_NAME} gir deg plassen sin: {TITLE}"
    said = words_of(invite) + html_of(invite)
    assert "Hei Åse Ødegård," in said
    # The giver's name and the meeting, nothing more: no address, firm, phone or own link.
    for private in (GIVER, "Sjømat Øst AS", "912 34 567", "/m/"):
        assert private not in said
    assert seats(event) == before

    page = client.get(link_path(invite, "h"))
    assert page.status_code == 200
    assert f"{GIVER_NAME} vil gi plassen sin på møtet til deg" in page.get_data(as_text=True)
    taken = press(client, page.get_data(as_text=True), "Ta plassen")
    assert taken.status_code == 200
    assert "Plassen er din." in taken.get_data(as_text=True)

    assert seats(event) == before
    colleague = signups.find(event, COLLEAGUE)
    assert colleague.state == State.ADMITTED and colleague.name == COLLEAGUE_NAME
    assert colleague.group_id == fresh(giver).group_id and colleague.confirmed_at is not None
    assert fresh(giver).state == State.TRANSFERRED
    assert fresh(waiting).state == State.WAITLISTED  # no seat came free, nobody was offered one
    assert the_handover().state == HandoverState.ACCEPTED

    admitted = smtp.wait_for(COLLEAGUE, 2)[1]
    assert admitted["Subject"].startswith("Du har plass")
    assert calendar_method(admitted) == "PUBLISH"
    told = smtp.wait_for(GIVER, 3)[2]
    assert told["Subject"] == f"Plassen din er overført: {TITLE}"
    assert f"{COLLEAGUE_NAME} har tatt imot plassen din" in words_of(told)
    assert calendar_method(told) == "CANCEL"

    again = client.get(manage).get_data(as_text=True)
    assert "Plassen din er overført til en kollega." in again
    assert "Meld meg av" not in again and "Gi plassen til en kollega" not in again
    # The person's history on the organiser's pages shows it, from both sides.
    assert log_in(client).status_code == 303
    pages = f"/organiser/events/{event.slug}/people"
    given = client.get(f"{pages}/{giver.id}").get_data(as_text=True)
    assert f"Ga plassen til {COLLEAGUE_NAME} ({COLLEAGUE})" in given and "overført" in given
    taken = client.get(f"{pages}/{colleague.id}").get_data(as_text=True)
    assert f"Fikk plassen fra {GIVER_NAME}" in taken
    status = runner.invoke(args=["event", "status", event.slug])
    assert "transferred  1 (overført)" in status.output and "Seats: 2 held of 2" in status.output


def test_a_handover_nobody_takes_lapses_and_the_giver_keeps_the_seat(
    client, make_event, confirmed, smtp, frozen_clock
):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    hand_over(client, manage)
    [invite] = smtp.wait_for(COLLEAGUE)
    # 24 waking hours from Monday 09:00: 13 on Monday, 11 on Tuesday (quiet hours as for offers).
    assert the_handover().expires_at == datetime(2031, 3, 4, 19, 0, tzinfo=OSLO)
    assert scheduler.lapse_handovers() == 0

    frozen_clock.advance(timedelta(days=1, hours=11))
    assert scheduler.lapse_handovers() == 1
    assert scheduler.lapse_handovers() == 0

    assert the_handover().state == HandoverState.LAPSED
    assert fresh(giver).state == State.ADMITTED
    told = smtp.wait_for(GIVER, 3)[2]
    assert told["Subject"] == f"Du beholder plassen din: {TITLE}"
    assert f"{COLLEAGUE_NAME} tok ikke imot plassen din" in words_of(told)
    page = client.get(link_path(invite, "h"))
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert "Fristen for å ta imot plassen har gått ut" in text and "Ta plassen" not in text
    token = csrf_from(client.get(manage).get_data(as_text=True))
    late = client.post(link_path(invite, "h"), data={"csrf_token": token})
    assert late.status_code == 409
    assert signups.find(event, COLLEAGUE) is None
    assert fresh(giver).state == State.ADMITTED


@pytest.fixture
def member_list(make_event, confirmed, smtp):
    """Bjørn's group (members) has a member list; his colleague's address is not on it."""
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    settings.change_domains(event, "medlem", ["finnfjord.no"], by="drift")
    return event, giver, manage


OUTSIDER = "ase@sjomat-ost.no"


def confirmed_off_the_list(client, smtp, manage) -> str:
    """The colleague, off the member list, says yes: the handover waits for the organiser."""
    hand_over(client, manage, email=OUTSIDER)
    [invite] = smtp.wait_for(OUTSIDER)
    assert "arrangøren må godkjenne overføringen" in words_of(invite)
    page = client.get(link_path(invite, "h")).get_data(as_text=True)
    answered = press(client, page, "Ta plassen")
    assert answered.status_code == 200
    assert "Arrangøren må godkjenne overføringen" in answered.get_data(as_text=True)
    assert the_handover().state == HandoverState.AWAITING_APPROVAL
    return link_path(invite, "h")


def test_off_the_member_list_the_organiser_approves_then_the_seat_moves(
    client, organiser_client, member_list, smtp
):
    event, giver, manage = member_list
    before = seats(event)
    confirmed_off_the_list(client, smtp, manage)
    assert fresh(giver).state == State.ADMITTED
    assert signups.find(event, OUTSIDER) is None
    assert "har takket ja til plassen din" in client.get(manage).get_data(as_text=True)

    dashboard = client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert "Overføringer som venter på godkjenning (1)" in dashboard
    approved = press(client, dashboard, "Godkjenn overføringen")
    assert approved.status_code == 303

    assert seats(event) == before
    assert fresh(giver).state == State.TRANSFERRED
    colleague = signups.find(event, OUTSIDER)
    assert colleague.state == State.ADMITTED and colleague.group_check == GroupCheck.ACCEPTED
    assert smtp.wait_for(OUTSIDER, 2)[1]["Subject"].startswith("Du har plass")
    assert smtp.wait_for(GIVER, 3)[2]["Subject"] == f"Plassen din er overført: {TITLE}"
    [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "handover"))
    assert entry.organiser_id is not None and entry.registration_id == giver.id
    assert str(colleague.id) in entry.detail and OUTSIDER not in entry.detail
    person = client.get(f"/organiser/events/{event.slug}/people/{giver.id}").get_data(as_text=True)
    assert f"Ga plassen til {COLLEAGUE_NAME}" in person and "overført" in person


def test_off_the_member_list_a_refusal_keeps_the_seat_with_the_giver(
    client, organiser_client, member_list, smtp
):
    event, giver, manage = member_list
    link = confirmed_off_the_list(client, smtp, manage)
    person = client.get(f"/organiser/events/{event.slug}/people/{giver.id}").get_data(as_text=True)
    assert "venter på godkjenning" in person
    refused = press(client, person, "Avslå overføringen")
    assert refused.status_code == 303

    assert fresh(giver).state == State.ADMITTED
    assert the_handover().state == HandoverState.REFUSED
    assert signups.find(event, OUTSIDER) is None
    assert smtp.wait_for(GIVER, 3)[2]["Subject"] == f"Plassen ble ikke overført: {TITLE}"
    assert smtp.wait_for(OUTSIDER, 2)[1]["Subject"] == f"Plassen ble ikke overført til deg: {TITLE}"
    assert db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "handover_refuse")
    ).one()
    page = client.get(link)
    assert page.status_code == 410
    assert "Arrangøren godkjente ikke" in page.get_data(as_text=True)


def test_following_the_links_by_get_or_head_changes_nothing(client, make_event, confirmed, smtp):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    hand_over(client, manage)
    link = link_path(smtp.wait_for(COLLEAGUE)[0], "h")
    for _ in range(2):
        assert client.get(link).status_code == 200
        assert client.head(link).status_code == 200
        assert client.get(f"{manage}/handover").status_code == 200
    assert client.get(f"{manage}/handover/withdraw").status_code == 405
    assert client.get(f"/organiser/events/{event.slug}/handovers/1/approve").status_code == 405
    handover = the_handover()
    assert handover.state == HandoverState.PENDING and handover.confirmed_at is None
    assert signups.find(event, COLLEAGUE) is None
    assert fresh(giver).state == State.ADMITTED
    assert db.session.scalar(db.select(db.func.count()).select_from(Handover)) == 1


def test_a_colleague_already_registered_is_refused_and_only_they_are_told(
    client, make_event, confirmed, smtp
):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    # The giver learns nothing about who is registered: the page is the same as ever.
    started = hand_over(client, manage, name="Kari Øyen", email="kari@finnfjord.no")
    assert "Vi har sendt kollegaen din en e-post" in started.get_data(as_text=True)
    invite = smtp.wait_for("kari@finnfjord.no", 3)[2]
    page = client.get(link_path(invite, "h")).get_data(as_text=True)
    assert "Du er allerede påmeldt dette møtet" in page and "Ta plassen" not in page
    taken = client.post(link_path(invite, "h"), data={"csrf_token": csrf_from(started.text)})
    assert taken.status_code == 409
    assert "Du er allerede påmeldt dette møtet" in taken.get_data(as_text=True)
    assert (fresh(giver).state, fresh(waiting).state) == (State.ADMITTED, State.WAITLISTED)
    assert the_handover().state == HandoverState.PENDING


def test_the_giver_withdraws_and_the_link_says_so(client, make_event, confirmed, smtp):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    hand_over(client, manage)
    link = link_path(smtp.wait_for(COLLEAGUE)[0], "h")
    page = client.get(manage).get_data(as_text=True)
    assert f"Du har tilbudt plassen din til {COLLEAGUE_NAME}" in page
    withdrawn = press(client, page, "Trekk tilbake overføringen")
    assert "Du har trukket tilbake overføringen" in withdrawn.get_data(as_text=True)
    assert the_handover().state == HandoverState.WITHDRAWN
    gone = client.get(link)
    assert gone.status_code == 410
    assert "har trukket tilbake tilbudet" in gone.get_data(as_text=True)
    assert fresh(giver).state == State.ADMITTED


def test_a_stranger_holding_no_manage_link_cannot_start_one(client, make_event, confirmed, smtp):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    assert client.get("/m/not-a-real-link/handover").status_code == 400
    # A link of another purpose (the colleague's own) does not open the giver's form.
    handovers.start(fresh(giver), COLLEAGUE_NAME, COLLEAGUE)
    colleague_token = link_path(smtp.wait_for(COLLEAGUE)[0], "h").split("/")[2]
    assert client.get(f"/m/{colleague_token}/handover").status_code == 400
    # Someone waiting has no seat to give.
    waiting_manage = link_path(smtp.wait_for("kari@finnfjord.no", 2)[1], "m")
    page = client.get(f"{waiting_manage}/handover").get_data(as_text=True)
    assert "Gi plassen til en kollega" not in page
    with pytest.raises(Refused) as refused:
        handovers.start(fresh(waiting), COLLEAGUE_NAME, "noen@example.no")
    assert refused.value.reason == Refusal.NO_SEAT_TO_HAND_OVER


def test_one_handover_at_a_time_and_three_a_day(client, make_event, confirmed, smtp, frozen_clock):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    with pytest.raises(Refused) as refused:
        handovers.start(fresh(giver), GIVER_NAME, GIVER.upper())
    assert refused.value.reason == Refusal.HANDOVER_TO_SELF
    hand_over(client, manage)
    again = hand_over(client, manage, email="per@finnfjord.no")
    assert again.status_code == 409
    assert "Du har allerede gitt plassen til en kollega" in again.get_data(as_text=True)
    for number in range(2):
        assert handovers.withdraw(fresh(giver))
        handovers.start(fresh(giver), "Per Sæther", f"per{number}@finnfjord.no")
    assert handovers.withdraw(fresh(giver))
    with pytest.raises(Refused) as refused:
        handovers.start(fresh(giver), "Per Sæther", "per9@finnfjord.no")
    assert refused.value.reason == Refusal.HANDOVER_LIMIT
    frozen_clock.advance(timedelta(days=1, minutes=1))
    handovers.start(fresh(giver), "Per Sæther", "per9@finnfjord.no")


def test_an_invalid_colleague_is_asked_again_and_nothing_is_sent(
    client, make_event, confirmed, smtp
):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    response = hand_over(client, manage, name="Åse www.svindel.no", email="ikke-en-adresse")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Skjemaet har feil" in text and "gyldig e-postadresse" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Handover)) == 0


def test_erasure_after_the_meeting_leaves_no_colleague_behind(
    client, make_event, confirmed, smtp, frozen_clock
):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    hand_over(client, manage)
    frozen_clock.set_now(retention.kept_until(event) + timedelta(minutes=1))
    retention.erase_expired_events()
    handover = the_handover()
    assert (handover.colleague_name, handover.colleague_email) == ("", "")
    assert all(r.name == "" for r in db.session.scalars(db.select(Registration)))


def test_a_cancelled_seat_cannot_then_be_taken(client, make_event, confirmed, smtp):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    handover = handovers.start(fresh(giver), COLLEAGUE_NAME, COLLEAGUE)
    admission.cancel(fresh(giver))
    with pytest.raises(Refused) as refused:
        admission.accept_handover(handover)
    assert refused.value.reason == Refusal.HANDOVER_ENDED
    # The handover ended with the seat: nothing is left waiting for the colleague or an organiser.
    assert the_handover().state == HandoverState.WITHDRAWN
    assert fresh(waiting).state == State.OFFERED
    assert signups.find(event, COLLEAGUE) is None
    page = client.get(link_path(smtp.wait_for(COLLEAGUE)[0], "h"))
    assert page.status_code == 410
    assert "trukket tilbake tilbudet om plassen" in page.get_data(as_text=True)


def test_a_colleague_who_left_before_gets_their_own_registration_back(
    client, make_event, confirmed, smtp
):
    event, giver, waiting, manage = seated(make_event, confirmed, smtp)
    before = seats(event)
    left = confirmed(event, COLLEAGUE, name="Åse Gammelnavn")
    admission.cancel(left)  # she left the waitlist: no longer registered
    hand_over(client, manage)
    invite = next(m for m in smtp.wait_for(COLLEAGUE, 4) if "gir deg plassen" in m["Subject"])
    page = client.get(link_path(invite, "h")).get_data(as_text=True)
    assert press(client, page, "Ta plassen").status_code == 200
    again = fresh(left)
    assert (again.state, again.name) == (State.ADMITTED, COLLEAGUE_NAME)
    assert signups.find(event, COLLEAGUE).id == left.id
    assert seats(event) == before


def test_an_old_link_cannot_take_a_seat_the_giver_got_again(
    client, make_event, confirmed, smtp, frozen_clock
):
    event = make_event(capacity=2, title=TITLE)
    giver = confirmed(event, GIVER, name=GIVER_NAME)
    old = handovers.start(fresh(giver), COLLEAGUE_NAME, COLLEAGUE)
    admission.cancel(fresh(giver))
    frozen_clock.advance(timedelta(minutes=5))
    assert admission.rejoin(fresh(giver)).registration.state == State.ADMITTED  # a free seat
    with pytest.raises(Refused) as refused:
        admission.accept_handover(old)
    assert refused.value.reason == Refusal.HANDOVER_ENDED
    assert handovers.open_for(fresh(giver)) is None
    handovers.start(fresh(giver), "Per Sæther", "per@finnfjord.no")  # a new one may start
    assert fresh(giver).state == State.ADMITTED and signups.find(event, COLLEAGUE) is None
