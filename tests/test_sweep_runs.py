"""The scheduler's jobs in one process never run the sweeps twice at once.

The start's catch-up run and the interval's runs are separate APScheduler jobs; a long
catch-up would otherwise overlap the first interval run, and two senders in one process
would have two messages in flight if it were killed (tests/test_scheduler_crash.py).
"""

import threading

from signup import scheduler


def test_a_run_still_going_is_not_joined_by_another(app, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow_sweep() -> int:
        started.set()
        assert release.wait(10)
        return 1

    monkeypatch.setattr(scheduler, "SWEEPS", (slow_sweep,))
    results = []
    first = threading.Thread(target=lambda: results.append(scheduler.run_sweeps_alone(app)))
    first.start()
    assert started.wait(10)
    assert scheduler.run_sweeps_alone(app) is None  # skipped: the first one is still going
    release.set()
    first.join(10)
    assert results == [{"slow_sweep": 1}]
    assert scheduler.run_sweeps_alone(app) == {"slow_sweep": 1}  # free again once it ended
