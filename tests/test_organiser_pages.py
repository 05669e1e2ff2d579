"""What an organiser sees: events, the event page, a person, the outbox, settings, audit."""

from datetime import timedelta

from conftest import csrf_from
from signup import clock


def test_events_list_shows_seats_waitlist_and_offers(organiser_client, make_event, confirmed):
    event = make_event(capacity=1, title="Temamøte industri")
    confirmed(event, "kari@finnfjord.no")
    confirmed(event, "ola@finnfjord.no")
    page = organiser_client.get("/organiser/").get_data(as_text=True)
    assert "Temamøte industri" in page
    assert "1 av 1" in page
    assert f"/organiser/events/{event.slug}/" in page


def test_event_page_shows_seats_chart_waitlist_offers_and_table(
    organiser_client, make_event, confirmed, sign_up
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no", name="Kari Nordmann")
    clock.advance(timedelta(days=1))
    confirmed(event, "ola@finnfjord.no", name="Ola Nordmann", organisation="Skaland Graphite")
    sign_up(event, "per@example.no", group="andre", name="Per Hansen")
    page = organiser_client.get(f"/organiser/events/{event.slug}/").get_data(as_text=True)
    assert "1 har plass" in page and "0 ledige av 1" in page
    assert "<svg" in page and "<polyline" in page
    assert "Påmeldt: 3" in page and "Bekreftet: 2" in page
    assert "Venteliste (1)" in page
    assert "Ola Nordmann" in page and "Per Hansen" in page
    assert "ikke bekreftet" in page  # Medlem claimed without a member list
    assert "http" not in page.split("<body", 1)[1].replace("http://localhost", "")


def test_event_table_searches_and_filters(organiser_client, make_event, confirmed, sign_up):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no", name="Kari Nordmann")
    confirmed(event, "ola@skaland.no", name="Ola Nordmann", organisation="Skaland Graphite")
    sign_up(event, "per@example.no", group="andre", name="Per Hansen")
    path = f"/organiser/events/{event.slug}/"

    def table(**query) -> str:
        page = organiser_client.get(path, query_string=query).get_data(as_text=True)
        return page.split('id="people-heading"', 1)[1]

    assert "Ola Nordmann" in table(q="skaland") and "Kari Nordmann" not in table(q="skaland")
    assert "Kari Nordmann" in table(q="KARI@")
    waiting = table(state="waitlisted")
    assert "Ola Nordmann" in waiting and "Kari Nordmann" not in waiting
    others = table(group="andre")
    assert "Per Hansen" in others and "Ola Nordmann" not in others


def test_person_page_offers_the_actions_that_fit(organiser_client, make_event, confirmed):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    ola = confirmed(event, "ola@finnfjord.no")
    page = organiser_client.get(f"/organiser/events/{event.slug}/people/{ola.id}")
    text = page.get_data(as_text=True)
    assert "nummer 1 på ventelisten" in text
    assert "Gi plass" in text and "overbooking" in text
    # No member list for the group: nothing to check the claim against, nothing to accept.
    assert "Godta gruppen" not in text
    assert "Meld av" in text
    assert "Send siste e-post på nytt" in text


def test_person_of_another_event_is_not_found(organiser_client, make_event, confirmed):
    first, second = make_event(), make_event()
    kari = confirmed(first, "kari@finnfjord.no")
    assert (
        organiser_client.get(f"/organiser/events/{second.slug}/people/{kari.id}").status_code == 404
    )
    assert organiser_client.get("/organiser/events/nope/").status_code == 404


def test_outbox_settings_and_audit_pages(organiser_client, make_event, confirmed, smtp):
    event = make_event()
    confirmed(event, "kari@finnfjord.no")
    smtp.wait_for("kari@finnfjord.no", 2)
    outbox = organiser_client.get(f"/organiser/events/{event.slug}/outbox").get_data(as_text=True)
    assert "kari@finnfjord.no" in outbox and "bekreftelseslenke" in outbox
    settings = organiser_client.get(f"/organiser/events/{event.slug}/settings")
    text = settings.get_data(as_text=True)
    assert 'name="capacity"' in text and "Medlemslister" in text and 'name="medlem-domains"' in text
    assert 'name="andre-domains"' not in text  # the public group has no member list
    audit = organiser_client.get("/organiser/audit").get_data(as_text=True)
    assert "logget inn" in audit and "arrangor@profilgruppa.no" in audit


def test_logout_button_is_on_every_page(organiser_client):
    page = organiser_client.get("/organiser/").get_data(as_text=True)
    assert 'action="/organiser/logout"' in page
    assert csrf_from(page)
