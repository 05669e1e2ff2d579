"""A refused action is one error with a reason; the web says each reason in words once."""

from datetime import timedelta

from conftest import link_path, press
from signup.core.errors import Refusal
from signup.extensions import db
from signup.models import Registration, State
from signup.web import refusals


def test_every_reason_but_a_replaced_link_has_its_own_words(app):
    with app.test_request_context():
        words = {reason: refusals.in_words(reason) for reason in Refusal}
        otherwise = str(refusals.OTHERWISE)
    own = {reason for reason, text in words.items() if text != otherwise}
    assert own == set(Refusal) - {Refusal.SUPERSEDED}
    assert len(set(words.values())) == len(own) + 1


def test_a_confirm_after_close_is_refused_in_words_and_changes_nothing(
    client, make_event, sign_up, smtp, frozen_clock
):
    # Sign-up closes within the confirm link's 48 hours: the link is still good after it.
    event = make_event(registration_closes_at=frozen_clock.now() + timedelta(hours=1))
    registration = sign_up(event, "kaare@finnfjord.no", name="Kåre Ødegård")
    [mail] = smtp.wait_for("kaare@finnfjord.no")
    page = client.get(link_path(mail, "c")).get_data(as_text=True)
    frozen_clock.set_now(event.registration_closes_at + timedelta(seconds=1))

    response = press(client, page, "Bekreft påmeldingen")

    assert response.status_code == 409
    assert "Påmeldingen til dette møtet er stengt, så vi kunne ikke gjøre dette." in (
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).state == State.UNCONFIRMED


def test_the_event_page_names_the_best_ranked_groups_as_priority(client, make_event):
    groups = [
        ("klynge", "Sjømatklyngens medlemsbedrifter", 1),
        ("nettverk", "Nettverket på Østlandet", 1),
        ("andre", "Alle andre", 2),
    ]
    event = make_event(groups=groups)
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Prioritert: Sjømatklyngens medlemsbedrifter, Nettverket på Østlandet." in page

    level = make_event(groups=[("alle", "Alle i Ålesund", 1), ("gjester", "Gjester", 1)])
    assert "Prioritert" not in client.get(f"/events/{level.slug}/").get_data(as_text=True)
