"""Erasing on request is a seat decision: raced by an organiser's cancel, the seat goes once."""

from __future__ import annotations

import pytest
from test_concurrency import own, run_together

from conftest import count_rows
from signup.core import admission
from signup.extensions import db
from signup.models import OutboxMessage, Registration, State

pytestmark = pytest.mark.own_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_erasure_and_the_organisers_cancel_at_once_offer_the_seat_once(
    app, make_event, confirmed, organiser, backend
):
    event = make_event(capacity=1)
    bjorn = confirmed(event, "bjorn@sjomat-ost.no", name="Bjørn Åsmund Kværnø").public_id
    confirmed(event, "oydis@laestad.no", name="Øydis Læstad")
    by = organiser.id

    def cancel_by_organiser():
        admission.cancel(own(bjorn), "Møtet er flyttet", by=db.session.get(type(organiser), by))

    errors = run_together(
        app,
        [lambda: admission.erase_on_request(own(bjorn)), cancel_by_organiser],
    )

    assert errors == []
    db.session.rollback()
    erased = db.session.scalar(db.select(Registration).where(Registration.public_id == bjorn))
    assert erased.erased_at is not None and erased.state == State.CANCELLED
    assert count_rows(OutboxMessage, OutboxMessage.kind == "offer") == 1
    assert count_rows(OutboxMessage, OutboxMessage.registration_id == erased.id) == 0
    held = count_rows(Registration, Registration.state.in_([State.ADMITTED, State.OFFERED]))
    assert held == 1
