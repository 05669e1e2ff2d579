"""Issue 13, item 9: a refused settings form comes back with what was typed, each error tied
to its field (aria-describedby), and nothing saved."""

import re

from conftest import csrf_from
from signup.extensions import db
from signup.models import AuditEntry, Event


def post_settings(client, event, action: str, **data):
    token = csrf_from(client.get(f"/organiser/events/{event.slug}/settings").get_data(as_text=True))
    return client.post(
        f"/organiser/events/{event.slug}/{action}", data={"csrf_token": token, **data}
    )


def tied_error(page: str, field_id: str) -> str:
    """The error text the field `field_id` points to with aria-describedby."""
    control = re.search(rf'<(?:input|textarea)[^>]*\bid="{field_id}"[^>]*>', page).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', control).group(1).split()
    assert f"{field_id}-error" in described and 'aria-invalid="true"' in control
    return re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page).group(1)


def textarea_holds(page: str, text: str) -> bool:
    return re.search(rf">\s*{re.escape(text)}</textarea>", page) is not None


def nothing_saved(event, briefing: str) -> None:
    db.session.rollback()
    assert db.session.get(Event, event.id).briefing == briefing
    assert db.session.scalars(db.select(AuditEntry).where(AuditEntry.action != "login")).all() == []


def test_a_bad_offer_window_keeps_the_typed_briefing(organiser_client, make_event):
    event = make_event(briefing="Hold avstand.")
    typed = "Vask hendene. Blåskjell og rømmegrøt serveres ved bordene, ikke ved disken."
    response = post_settings(organiser_client, event, "texts", briefing=typed, offer_hours="0")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert tied_error(page, "offer_hours") == "Svarfristen må være mellom 0,1 og 336 timer."
    assert textarea_holds(page, typed)
    assert 'value="0"' in re.search(r'<input[^>]*id="offer_hours"[^>]*>', page).group(0)
    nothing_saved(event, "Hold avstand.")


def test_a_bad_capacity_is_shown_at_its_field(organiser_client, make_event):
    event = make_event(capacity=3, briefing="Hold avstand.")
    response = post_settings(organiser_client, event, "capacity", capacity="-4")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert tied_error(page, "capacity") == "Antall plasser må være mellom 0 og 100 000."
    assert "<title>Feil: Innstillinger" in page
    assert 'value="-4"' in re.search(r'<input[^>]*id="capacity"[^>]*>', page).group(0)
    assert textarea_holds(page, "Hold avstand.")  # the other forms show what is saved


def test_a_bad_domain_line_is_shown_at_its_list_with_the_typed_lines(organiser_client, make_event):
    event = make_event(briefing="")
    typed = "finnfjord.no\nsenja.no\nblåskjell og rømme"
    response = post_settings(
        organiser_client, event, "groups/medlem/domains", **{"medlem-domains": typed}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = tied_error(page, "medlem-domains")
    assert "«blåskjell» er ikke et domene" in error
    assert textarea_holds(page, typed)
    nothing_saved(event, "")
