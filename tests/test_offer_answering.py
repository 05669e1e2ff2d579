"""Issue 13, items 2 and 3: an offer is answerable from the person's own page, whatever
email was lost, and turning it down asks "are you sure?" first, like cancelling."""

import re

import pytest

from conftest import csrf_from, fresh, link_path, press, text_of
from signup.core import admission, signups
from signup.extensions import db
from signup.models import AuditEntry, OutboxMessage, State

BJORN = "bjorn@fjaereide.no"


def offered_person(make_event, confirmed, smtp):
    """Åse holds the only seat, Bjørn waits; Åse leaves and Bjørn is offered the seat."""
    event = make_event(capacity=1, title="Temamøte i Tromsø: sjømat og kraft")
    åse = confirmed(event, "ase@example.no", name="Åse Ødegård")
    bjørn = confirmed(event, BJORN, name="Bjørn Ærø", organisation="Fjøsvik Smådyr AS")
    assert bjørn.state == State.WAITLISTED
    admission.cancel(åse)
    mails = smtp.wait_for(BJORN, 3)
    assert mails[-1]["Subject"].startswith("Du har fått tilbud om plass")
    return event, fresh(bjørn), mails


def manage_path(mails) -> str:
    return link_path(mails[0], "m")


def test_the_manage_page_shows_the_open_offer_and_takes_it(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    page = client.get(manage_path(mails)).get_data(as_text=True)
    assert "Du har fått tilbud om plass." in page
    assert "lenken i e-posten" not in page
    assert "Tilbudet gjelder til" in page
    assert "Ta plassen" in page and "Nei takk" in page

    taken = press(client, page, "Ta plassen")
    assert taken.status_code == 200
    assert "Du har plass på møtet." in taken.get_data(as_text=True)
    assert fresh(bjørn).state == State.ADMITTED
    assert smtp.wait_for(BJORN, 4)[-1]["Subject"].startswith("Du har plass")


def test_following_the_answer_links_by_get_changes_nothing(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    for action in ("accept", "decline"):
        assert client.get(f"{manage_path(mails)}/{action}").status_code == 405
        assert client.head(f"{manage_path(mails)}/{action}").status_code == 405
    assert fresh(bjørn).state == State.OFFERED


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("offer", ["0", "x9", "²", "99999999999999999999", ""])
def test_an_answer_to_another_offer_changes_nothing(
    client, make_event, confirmed, smtp, action, offer
):
    # "0": a manage page loaded before this offer was made; the rest: tampered forms.
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    token = csrf_from(client.get(manage_path(mails)).get_data(as_text=True))
    response = client.post(
        f"{manage_path(mails)}/{action}", data={"csrf_token": token, "offer": offer}
    )
    assert response.status_code == 409
    assert "Dette tilbudet gjelder ikke lenger" in response.get_data(as_text=True)
    assert fresh(bjørn).state == State.OFFERED


def test_declining_from_the_manage_page_asks_first(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    page = client.get(manage_path(mails)).get_data(as_text=True)

    asked = press(client, page, "Nei takk")
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "Er du sikker?" in text and "Du takker nei til plassen" in text
    assert fresh(bjørn).state == State.OFFERED  # the first button only asks

    done = press(client, text, "Ja, si nei takk")
    assert "Du takket nei til plassen." in done.get_data(as_text=True)
    assert fresh(bjørn).state == State.DECLINED


def test_declining_from_the_offer_email_asks_first(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    offer_page = client.get(link_path(mails[-1], "o")).get_data(as_text=True)

    asked = press(client, offer_page, "Nei takk")
    assert "Er du sikker?" in asked.get_data(as_text=True)
    assert fresh(bjørn).state == State.OFFERED
    assert link_path(mails[-1], "o") in asked.get_data(as_text=True)  # "no, back to the offer"

    press(client, asked.get_data(as_text=True), "Ja, si nei takk")
    assert fresh(bjørn).state == State.DECLINED


def test_an_answered_offer_page_leads_to_the_registration(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    offer_path = link_path(mails[-1], "o")
    press(client, client.get(offer_path).get_data(as_text=True), "Ta plassen")

    again = client.get(offer_path).get_data(as_text=True)
    assert "Dette tilbudet er ikke åpent lenger" in again
    manage = re.search(r'href="(/m/[^"]+)"', again)
    assert manage, "the answered offer page links nowhere"
    assert "Du har plass på møtet." in client.get(manage.group(1)).get_data(as_text=True)


def test_a_stale_offer_link_leads_to_the_registration(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    offer_path = link_path(mails[-1], "o")
    cecilie = confirmed(event, "cecilie@example.no", name="Cecilie Løkkå")
    admission.decline(bjørn, bjørn.offer_number)  # Cecilie is offered the seat
    admission.rejoin(bjørn)
    admission.decline(cecilie, fresh(cecilie).offer_number)
    assert fresh(bjørn).state == State.OFFERED  # a new offer, with a new link

    stale = client.get(offer_path).get_data(as_text=True)
    assert "Dette tilbudet gjelder ikke lenger" in stale
    assert re.search(r'href="/m/[^"]+">Gå til påmeldingen din', stale)


def test_a_new_link_to_an_offered_person_carries_the_offer(client, make_event, confirmed, smtp):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    page = client.get(f"/new-link?event={event.slug}").get_data(as_text=True)
    response = client.post(
        "/new-link", data={"csrf_token": csrf_from(page), "event": event.slug, "email": BJORN}
    )
    assert response.status_code == 303
    status = smtp.wait_for(BJORN, 4)[-1]
    assert "Bjørn Ærø" in text_of(status)
    assert "Svar på tilbudet om plass innen" in text_of(status)
    offer_page = client.get(link_path(status, "o")).get_data(as_text=True)
    press(client, offer_page, "Ta plassen")
    assert fresh(bjørn).state == State.ADMITTED


def test_send_again_to_an_offered_person_sends_the_offer(
    organiser_client, make_event, confirmed, smtp
):
    event, bjørn, mails = offered_person(make_event, confirmed, smtp)
    # The last email was a status email (a new link); "send again" still sends the offer.
    signups.request_link(event, BJORN)
    smtp.wait_for(BJORN, 4)
    person = f"/organiser/events/{event.slug}/people/{bjørn.id}"
    page = organiser_client.get(person).get_data(as_text=True)
    assert "Send tilbudet på nytt" in page
    response = press(organiser_client, page, "Send tilbudet på nytt")
    assert response.status_code == 303
    again = smtp.wait_for(BJORN, 5)[-1]
    assert again["Subject"].startswith("Du har fått tilbud om plass")
    assert "Bjørn Ærø" in text_of(again)
    offer_page = organiser_client.get(link_path(again, "o")).get_data(as_text=True)
    press(organiser_client, offer_page, "Ta plassen")
    assert fresh(bjørn).state == State.ADMITTED
    db.session.rollback()
    kinds = [m.kind for m in db.session.scalars(db.select(OutboxMessage).order_by("id"))]
    assert kinds[-2:] == ["offer", "admitted"]
    resent = db.select(AuditEntry.detail).where(AuditEntry.action == "resend")
    assert db.session.scalars(resent).all() == ["offer"]
