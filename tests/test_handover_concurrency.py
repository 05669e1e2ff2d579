"""A seat being handed over and the same seat being cancelled at once: only one can win.

Real threads against a real SQLite file and PostgreSQL (TEST_BACKEND / TEST_DATABASE_URL).
"""

import pytest
from test_concurrency import own, run_together

from conftest import count_rows
from signup.core import admission, signups, waitlist
from signup.core import handover as handovers
from signup.core.errors import Refused
from signup.extensions import db
from signup.models import Handover, Registration, State

BACKENDS = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
pytestmark = pytest.mark.own_database
ROUNDS = 4


@BACKENDS
def test_taking_a_handed_over_seat_and_cancelling_it_at_once_cannot_both_win(
    app, make_event, confirmed
):
    for round_ in range(ROUNDS):
        event = make_event(capacity=1)
        giver = confirmed(event, f"bjorn{round_}@finnfjord.no", name="Bjørn Kværnø")
        waiting = confirmed(event, f"kari{round_}@finnfjord.no", name="Kari Øyen")
        colleague = f"ase{round_}@finnfjord.no"
        handover = handovers.start(giver, "Åse Ødegård", colleague)
        ids = (giver.public_id, handover.public_id)
        won: dict[str, bool] = {}

        def take(ids=ids, won=won):
            try:
                admission.accept_handover(handovers.by_public_id(ids[1]))
                won["take"] = True
            except Refused:
                won["take"] = False

        def cancel(ids=ids, won=won):
            won["cancel"] = admission.cancel(own(ids[0])).changed

        assert run_together(app, [take, cancel]) == []
        assert won["take"] != won["cancel"], won
        db.session.rollback()
        assert waitlist.held_seats(event) == 1
        taker = signups.find(event, colleague)
        giver_now = db.session.get(Registration, giver.id)
        waiting_now = db.session.get(Registration, waiting.id)
        if won["take"]:
            assert (giver_now.state, taker.state) == (State.TRANSFERRED, State.ADMITTED)
            assert waiting_now.state == State.WAITLISTED
        else:
            assert giver_now.state == State.CANCELLED and taker is None
            assert waiting_now.state == State.OFFERED
    assert count_rows(Handover) == ROUNDS
