"""Links live as long as the attendee list: after the retention period they say so (issue 12)."""

from datetime import timedelta

import pytest

from conftest import count_rows, fresh, link_path, press
from signup.core import retention
from signup.models import OutboxMessage, State


@pytest.mark.parametrize("swept", [False, True], ids=["before-the-sweep", "after-the-sweep"])
def test_manage_link_expires_with_the_events_retention(
    client, make_event, confirmed, smtp, frozen_clock, swept
):
    event = make_event(retention_days=10)
    person = confirmed(event, "kari@example.no", name="Kari Åsheim")
    admitted = smtp.wait_for("kari@example.no", 2)[1]
    manage = link_path(admitted, "m")
    page = client.get(manage)
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    frozen_clock.set_now(event.ends_at + timedelta(days=10))
    if swept:
        assert retention.erase_expired_events() == 1
    rows = count_rows(OutboxMessage)

    for response in (client.get(manage), press(client, html, "Meld meg av")):
        assert response.status_code == 410
        text = response.get_data(as_text=True)
        assert "Påmeldingen er slettet" in text
        assert "Kari" not in text
    assert fresh(person).state == State.ADMITTED
    assert count_rows(OutboxMessage) == rows


def test_manage_link_works_until_the_retention_period_ends(
    client, make_event, confirmed, smtp, frozen_clock
):
    event = make_event(retention_days=10)
    confirmed(event, "kari@example.no", name="Kari Åsheim")
    manage = link_path(smtp.wait_for("kari@example.no", 2)[1], "m")

    frozen_clock.set_now(event.ends_at + timedelta(days=10) - timedelta(minutes=1))

    assert client.get(manage).status_code == 200
