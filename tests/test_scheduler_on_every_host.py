"""The scheduler runs beside every web host: no single point of failure in the sweeps.

Two hosts on one database each run their own APScheduler. Together they send each briefing
once; with one of them down the day before, the other sends it, once, and the one coming back
sends nothing more.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED

from conftest import make_app, wait_until
from signup import clock, scheduler
from signup.extensions import db
from signup.models import OutboxMessage

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
pytestmark = pytest.mark.own_database
#: The hosts sweep every fifth of a second here (every 10 s in production).
SWEEP_SECONDS = 0.2
PEOPLE = 12


class Host:
    """One web host's scheduler: APScheduler in a thread of its process, as in production."""

    def __init__(self, app):
        self.app = app
        self.runs = 0
        self._scheduler = None

    def start(self) -> None:
        self.app.config["SWEEP_SECONDS"] = SWEEP_SECONDS
        self._scheduler = scheduler.start_embedded(self.app)
        self._scheduler.add_listener(self._ran, EVENT_JOB_EXECUTED)

    def _ran(self, _event) -> None:
        self.runs += 1

    def stop(self) -> None:
        """The host goes down: its scheduler finishes the sweep it is in and stops."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    def sweeps_a_few_times(self, count: int = 3) -> None:
        """Wait until this host has swept `count` more times."""
        target = self.runs + count
        wait_until(lambda: self.runs >= target, message="the host's scheduler did not sweep")


@pytest.fixture
def hosts(app, tmp_path, smtp, backend):
    """Two web hosts on the same database and relay, their schedulers not started yet."""
    second = make_app(tmp_path, smtp.port, backend, fresh=False)
    pair = [Host(app), Host(second)]
    yield pair
    for host in pair:
        host.stop()
    with second.app_context():
        db.engine.dispose()


@pytest.fixture
def meeting(make_event, confirmed):
    """A meeting two weeks ahead with PEOPLE admitted; returns it and their addresses."""
    event = make_event(capacity=PEOPLE, briefing="Hold avstand i Store auditorium på Ås.")
    people = [
        confirmed(event, f"deltaker{n}@example.no", name=f"Åse Ødegård {n}").email
        for n in range(PEOPLE)
    ]
    return event, people


def briefings_to(smtp, address: str) -> int:
    return sum(m["Subject"].startswith("Smittevern") for m in smtp.to(address))


def assert_briefed_once(smtp, people) -> None:
    smtp.wait_for_total(PEOPLE * 3)  # confirm, admitted, briefing
    assert {address: briefings_to(smtp, address) for address in people} == dict.fromkeys(people, 1)
    db.session.rollback()
    kinds = db.session.scalars(db.select(OutboxMessage.kind)).all()
    assert kinds.count("briefing") == PEOPLE


@BOTH
def test_two_hosts_sweeping_at_once_brief_each_person_once(smtp, hosts, meeting):
    event, people = meeting
    clock.set_now(event.briefing_at + timedelta(seconds=1))
    for host in hosts:
        host.start()
    for host in hosts:
        host.sweeps_a_few_times()
    assert_briefed_once(smtp, people)
    for host in hosts:
        host.sweeps_a_few_times()
    assert_briefed_once(smtp, people)


@BOTH
def test_one_host_down_the_day_before_the_other_briefs_everyone_once(smtp, hosts, meeting):
    event, people = meeting
    down, up = hosts
    clock.set_now(event.briefing_at - timedelta(days=1))
    for host in hosts:
        host.start()
        host.sweeps_a_few_times()
    down.stop()

    clock.set_now(event.briefing_at + timedelta(seconds=1))
    up.sweeps_a_few_times()
    assert_briefed_once(smtp, people)

    down.start()  # back up: its catch-up run finds everyone briefed
    down.sweeps_a_few_times()
    assert_briefed_once(smtp, people)
