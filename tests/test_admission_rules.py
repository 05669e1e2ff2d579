"""The admission rule of ARCHITECTURE.md as tables: the seat rule alone, then end to end."""

from datetime import timedelta

import pytest

from conftest import START, count_rows, fresh
from signup.core import admission, waitlist
from signup.core.errors import Refused
from signup.extensions import db
from signup.models import OutboxMessage, Registration, State

PRIORITY = "medlem"  # rank 1
OTHER = "andre"  # rank 2


@pytest.mark.parametrize(
    "capacity, held, reserved, reserve_active, priority_rank, is_open",
    [
        (10, 9, 0, False, False, True),  # the last seat
        (10, 10, 0, False, False, False),  # exactly full
        (10, 10, 0, False, True, False),  # rank does not create seats
        (10, 11, 0, False, True, False),  # overflow after capacity was lowered
        (0, 0, 0, False, True, False),  # no seats at all
        (10, 6, 3, True, False, True),  # below the reserve
        (10, 7, 3, True, False, False),  # only reserved seats left: not for rank 2
        (10, 7, 3, True, True, True),  # ...but for rank 1
        (10, 9, 3, True, True, True),
        (10, 10, 3, True, True, False),
        (10, 7, 3, False, False, True),  # reserve released at priority_until
        (3, 0, 3, True, False, False),  # every seat reserved
    ],
)
def test_seat_is_open(capacity, held, reserved, reserve_active, priority_rank, is_open):
    assert (
        admission.seat_is_open(
            capacity=capacity,
            held=held,
            reserved=reserved,
            reserve_active=reserve_active,
            priority_rank=priority_rank,
        )
        is is_open
    )


#: (capacity, reserved seats, groups confirmed first in order, clock moved past
#: priority_until before the newcomer confirms, newcomer's group, outcome, waitlist position)
RULE_TABLE = [
    pytest.param(2, 0, [PRIORITY], False, OTHER, State.ADMITTED, None, id="free-seat-any-rank"),
    pytest.param(2, 0, [PRIORITY], False, PRIORITY, State.ADMITTED, None, id="exact-last-seat"),
    pytest.param(2, 0, [OTHER, OTHER], False, PRIORITY, State.WAITLISTED, 1, id="full-any-rank"),
    pytest.param(3, 1, [OTHER, OTHER], False, OTHER, State.WAITLISTED, 1, id="reserve-holds"),
    pytest.param(3, 1, [OTHER, OTHER], False, PRIORITY, State.ADMITTED, None, id="reserve-rank1"),
    pytest.param(3, 1, [OTHER, OTHER], True, OTHER, State.ADMITTED, None, id="reserve-released"),
    pytest.param(
        3, 1, [OTHER, OTHER, OTHER], True, OTHER, State.WAITLISTED, 2, id="no-jump-equal-rank"
    ),
    pytest.param(
        3, 1, [OTHER, OTHER, OTHER], True, PRIORITY, State.ADMITTED, None, id="better-rank-passes"
    ),
    pytest.param(
        3, 1, [OTHER, OTHER, OTHER], False, PRIORITY, State.ADMITTED, None, id="rank1-takes-reserve"
    ),
    pytest.param(
        2, 0, [PRIORITY, PRIORITY, OTHER], False, PRIORITY, State.WAITLISTED, 1, id="rank1-ahead"
    ),
    pytest.param(3, 1, [OTHER, OTHER, PRIORITY], False, OTHER, State.WAITLISTED, 1, id="full"),
    pytest.param(1, 1, [], False, OTHER, State.WAITLISTED, 1, id="all-seats-reserved"),
    pytest.param(1, 1, [], True, OTHER, State.ADMITTED, None, id="all-reserved-released"),
]


@pytest.mark.parametrize(
    "capacity, reserved, before, past_priority, newcomer, outcome, position", RULE_TABLE
)
def test_confirm_applies_the_rule(
    make_event,
    confirmed,
    frozen_clock,
    capacity,
    reserved,
    before,
    past_priority,
    newcomer,
    outcome,
    position,
):
    event = make_event(
        capacity=capacity, reserved_seats=reserved, priority_until=START + timedelta(days=1)
    )
    for number, group in enumerate(before):
        confirmed(event, f"tidlig{number}@example.no", group)
        frozen_clock.advance(timedelta(minutes=1))
    if past_priority:
        # The reserve is released by the clock alone, before any sweep has run.
        frozen_clock.advance(timedelta(days=2))
    held_before = waitlist.held_seats(event)

    person = confirmed(event, "ny@example.no", newcomer)

    assert person.state == outcome
    assert waitlist.position(person) == position
    assert waitlist.held_seats(event) == held_before + (outcome == State.ADMITTED)
    assert waitlist.held_seats(event) <= event.capacity


def test_waitlist_order_is_rank_then_confirmation_time(make_event, confirmed, frozen_clock):
    event = make_event(capacity=0)
    late_other = confirmed(event, "a@example.no", OTHER)
    frozen_clock.advance(timedelta(minutes=5))
    late_member = confirmed(event, "b@example.no", PRIORITY)
    frozen_clock.advance(timedelta(minutes=5))
    later_member = confirmed(event, "c@example.no", PRIORITY)

    assert [r.id for r in waitlist.waiting(event)] == [
        late_member.id,
        later_member.id,
        late_other.id,
    ]


def assert_positions_without_gaps(event) -> None:
    db.session.rollback()
    queue = waitlist.waiting(event)
    assert [waitlist.position(r) for r in queue] == list(range(1, len(queue) + 1))


def offers_sent() -> int:
    return count_rows(OutboxMessage, OutboxMessage.kind == "offer")


def test_n_free_seats_give_n_offers_and_positions_stay_whole(make_event, confirmed, frozen_clock):
    event = make_event(capacity=2)
    admitted = [confirmed(event, f"plass{n}@example.no") for n in range(2)]
    waiting = []
    for n in range(6):
        frozen_clock.advance(timedelta(minutes=1))
        waiting.append(confirmed(event, f"vent{n}@example.no", PRIORITY if n % 2 else OTHER))
    assert {r.state for r in waiting} == {State.WAITLISTED}
    assert_positions_without_gaps(event)

    # Someone in the middle leaves the waitlist.
    admission.cancel(waiting[2])
    assert_positions_without_gaps(event)

    # Two seats free at once: exactly two offers, to the two heads of the queue.
    heads = waitlist.waiting(event)[:2]
    admission.cancel(admitted[0])
    admission.cancel(admitted[1])
    assert offers_sent() == 2
    assert {fresh(r).state for r in heads} == {State.OFFERED}
    assert_positions_without_gaps(event)

    # A decline passes the seat on, one offer more; positions close up.
    nxt = waitlist.waiting(event)[0]
    first = fresh(heads[0])
    admission.decline(first, first.offer_number)
    assert fresh(nxt).state == State.OFFERED
    assert offers_sent() == 3
    assert_positions_without_gaps(event)

    # The decliner (rank 1) rejoins at the back of rank 1, still ahead of rank 2.
    admission.rejoin(first)
    assert fresh(first).state == State.WAITLISTED
    assert [r.id for r in waitlist.waiting(event)] == [first.id, waiting[0].id, waiting[4].id]
    assert_positions_without_gaps(event)
    assert waitlist.held_seats(event) == 2


def test_capacity_raised_by_three_gives_three_offers(make_event, confirmed):
    event = make_event(capacity=2)
    for n in range(2):
        confirmed(event, f"plass{n}@example.no")
    waiting = [confirmed(event, f"vent{n}@example.no") for n in range(5)]

    offers = admission.set_capacity(event.id, 5, by=None)

    assert offers == 3
    assert offers_sent() == 3
    assert [fresh(r).state for r in waiting] == [State.OFFERED] * 3 + [State.WAITLISTED] * 2
    assert waitlist.held_seats(event) == 5
    assert_positions_without_gaps(event)


def test_capacity_lowered_below_held_removes_nobody(make_event, confirmed):
    event = make_event(capacity=4)
    seated = [confirmed(event, f"plass{n}@example.no") for n in range(4)]
    waiting = confirmed(event, "vent@example.no")

    assert admission.set_capacity(event.id, 2, by=None) == 0

    assert [fresh(r).state for r in seated] == [State.ADMITTED] * 4
    assert fresh(waiting).state == State.WAITLISTED
    assert offers_sent() == 0
    # One of the four leaves: still over capacity, so nobody is offered the seat.
    admission.cancel(seated[0])
    assert fresh(waiting).state == State.WAITLISTED
    assert offers_sent() == 0


def test_capacity_through_the_cli(make_event, confirmed, runner):
    event = make_event(capacity=2)
    for n in range(2):
        confirmed(event, f"plass{n}@example.no")
    waiting = [confirmed(event, f"vent{n}@example.no") for n in range(4)]

    raised = runner.invoke(args=["event", "capacity", event.slug, "5"])
    assert raised.exit_code == 0, raised.output
    assert "3 offer(s) sent" in raised.output
    assert [fresh(r).state for r in waiting] == [State.OFFERED] * 3 + [State.WAITLISTED]

    lowered = runner.invoke(args=["event", "capacity", event.slug, "1"])
    assert lowered.exit_code == 0, lowered.output
    assert "0 offer(s) sent" in lowered.output
    assert "OVERFLOW: 4 more held than capacity; nobody was removed" in lowered.output
    status = runner.invoke(args=["event", "status", event.slug])
    assert "OVERFLOW: 4" in status.output
    assert count_rows(Registration, Registration.state == State.ADMITTED) == 2
    assert count_rows(Registration, Registration.state == State.OFFERED) == 3


def test_negative_capacity_is_refused(make_event, runner):
    event = make_event(capacity=2)
    with pytest.raises(Refused):
        admission.set_capacity(event.id, -1, by=None)
    result = runner.invoke(args=["event", "capacity", event.slug, "-1"])
    assert result.exit_code != 0
    assert fresh_capacity(event) == 2


def fresh_capacity(event) -> int:
    db.session.rollback()
    return db.session.get(type(event), event.id).capacity


def _in_state(event, confirmed, state: State, frozen_clock) -> Registration:
    """A registration brought to `state` through the rules (capacity 1, one ahead of it)."""
    seated = confirmed(event, "forst@finnfjord.no", name="Åse Først")
    person = confirmed(event, "bjorn@finnfjord.no", name="Bjørn Ødegård")
    if state == State.ADMITTED:
        return seated
    if state == State.WAITLISTED:
        return person
    admission.cancel(seated)
    person = fresh(person)
    if state == State.DECLINED:
        admission.decline(person, person.offer_number)
    elif state == State.LAPSED:
        frozen_clock.set_now(person.offer_expires_at)
        admission.expire_offers(event.id)
    elif state == State.CANCELLED:
        admission.cancel(person)
    return fresh(person)


@pytest.mark.parametrize(
    "state",
    [
        State.ADMITTED,
        State.WAITLISTED,
        State.OFFERED,
        State.DECLINED,
        State.LAPSED,
        State.CANCELLED,
    ],
)
def test_a_second_confirm_in_any_state_changes_nothing_and_sends_nothing(
    make_event, confirmed, frozen_clock, state
):
    event = make_event(capacity=1)
    person = _in_state(event, confirmed, state, frozen_clock)
    assert person.state == state
    columns = ("state", "queued_at", "confirmed_at", "admitted_at", "offer_number", "left_at")
    before = {column: getattr(person, column) for column in columns}
    rows = count_rows(OutboxMessage)

    outcome = admission.confirm(person)

    assert not outcome.changed
    after = fresh(person)
    assert {column: getattr(after, column) for column in columns} == before
    assert count_rows(OutboxMessage) == rows


# -- survivors of the mutation run (bench/mutation.sh), pinned ---------------------------


def _standing(registration: Registration) -> tuple:
    registration = fresh(registration)
    return (
        registration.state,
        registration.confirmed_at,
        registration.queued_at,
        registration.admitted_at,
        registration.offer_number,
        registration.offer_expires_at,
        registration.left_at,
    )


def closed_notices(event) -> int:
    return count_rows(
        OutboxMessage,
        OutboxMessage.kind == "waitlist_closed",
        OutboxMessage.event_id == event.id,
    )


def test_closing_tells_only_this_events_waitlist_and_only_once(make_event, confirmed, frozen_clock):
    closing = make_event(capacity=1, slug="stenger-i-dag")
    later = make_event(capacity=1, slug="stenger-senere")
    later.registration_closes_at = later.starts_at
    closing.registration_closes_at = START + timedelta(days=1)
    db.session.commit()
    for event in (closing, later):
        confirmed(event, f"plass-{event.slug}@example.no", name="Åse Plass")
        confirmed(event, f"vent-{event.slug}@example.no", name="Bjørn Venter")
    frozen_clock.set_now(START + timedelta(days=1, minutes=1))

    assert admission.close_waitlist(closing.id) == 1
    assert admission.close_waitlist(closing.id) == 0
    assert admission.close_waitlist(later.id) == 0  # still open

    assert closed_notices(closing) == 1
    assert closed_notices(later) == 0


def test_closing_lapses_only_this_events_offers_that_are_due(make_event, confirmed, frozen_clock):
    closing = make_event(capacity=1, slug="stenger-i-dag")
    other = make_event(capacity=1, slug="annet-mote")
    closing.registration_closes_at = START + timedelta(days=3)
    db.session.commit()
    offered = {}
    for event in (closing, other):
        seated = confirmed(event, f"plass-{event.slug}@example.no", name="Åse Plass")
        waiting = confirmed(event, f"vent-{event.slug}@example.no", name="Kåre Venter")
        admission.cancel(seated)
        offered[event.slug] = fresh(waiting)
    frozen_clock.set_now(START + timedelta(days=3, minutes=1))  # past both offers' deadlines

    admission.close_waitlist(closing.id)

    assert fresh(offered["stenger-i-dag"]).state == State.LAPSED
    assert fresh(offered["annet-mote"]).state == State.OFFERED  # its own sweep lapses it


def test_capacity_can_be_set_to_zero(make_event, confirmed):
    event = make_event(capacity=2)
    confirmed(event, "plass@example.no", name="Øyvind Plass")

    assert admission.set_capacity(event.id, 0, by=None) == 0

    assert fresh_capacity(event) == 0


@pytest.mark.parametrize("state", [State.ADMITTED, State.WAITLISTED])
def test_rejoin_by_someone_still_in_changes_nothing(state, make_event, confirmed):
    event = make_event(capacity=1)
    first = confirmed(event, "forst@example.no", name="Åse Først")
    second = confirmed(event, "andre@example.no", name="Bjørn Andre")
    person = first if state == State.ADMITTED else second
    before = _standing(person)
    rows = count_rows(OutboxMessage)

    outcome = admission.rejoin(person)

    assert outcome.changed is False
    assert _standing(person) == before
    assert count_rows(OutboxMessage) == rows


def test_expiring_offers_lapses_only_this_events(make_event, confirmed, frozen_clock):
    offered = {}
    for slug in ("forste-mote", "andre-mote"):
        event = make_event(capacity=1, slug=slug)
        seated = confirmed(event, f"plass-{slug}@example.no", name="Åse Plass")
        waiting = confirmed(event, f"vent-{slug}@example.no", name="Kåre Venter")
        admission.cancel(seated)
        offered[slug] = fresh(waiting)
    frozen_clock.set_now(offered["forste-mote"].offer_expires_at + timedelta(minutes=1))

    assert admission.expire_offers(offered["forste-mote"].event_id) == 1

    assert fresh(offered["forste-mote"]).state == State.LAPSED
    assert fresh(offered["andre-mote"]).state == State.OFFERED  # its own sweep lapses it


def test_declining_an_offer_whose_time_ran_out_passes_the_seat_on(
    make_event, confirmed, frozen_clock
):
    event = make_event(capacity=1)
    seated = confirmed(event, "plass@example.no", name="Åse Plass")
    late = confirmed(event, "sein@example.no", name="Kåre Sein")
    next_in_line = confirmed(event, "neste@example.no", name="Bjørn Neste")
    admission.cancel(seated)
    late = fresh(late)
    frozen_clock.set_now(late.offer_expires_at + timedelta(minutes=1))  # no sweep has run

    admission.decline(late, late.offer_number)

    assert fresh(late).state == State.LAPSED
    assert fresh(next_in_line).state == State.OFFERED
