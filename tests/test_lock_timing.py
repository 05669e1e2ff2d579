"""The seat lock's timing hook (bench.lock) reports each lock once, and only when observed."""

from signup.core import admission, lock


def test_an_observer_hears_each_seat_lock_with_its_wait_and_hold(make_event, sign_up):
    event = make_event(capacity=1)
    first = sign_up(event, "forst@example.no", name="Åse Først")
    second = sign_up(event, "andre@example.no", name="Bjørn Ødegård")
    heard: list[tuple[float, float]] = []
    lock.hold_observers.append(lambda wait, held: heard.append((wait, held)))
    try:
        admission.confirm(first)
        admission.confirm(second)
    finally:
        lock.hold_observers.clear()
    admission.confirm(first)  # not observed

    assert len(heard) == 2
    assert all(wait >= 0 and held > 0 for wait, held in heard)
