"""The scheduler's sweeps: short, idempotent, driven by what the database says is due.

Each sweep marks what it did in the rows it touched, so a run missed while the process
was down is caught up by the next one, and two schedulers at once do nothing twice.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import select

from .clock import now
from .core import admission, announcements, briefing, handover, retention, waitlist
from .extensions import db
from .mail.outbox import deliver_due
from .models import Event

log = logging.getLogger(__name__)


def expire_offers() -> int:
    """Lapse offers whose time is up; each lapse offers the seat onwards at once."""
    return sum(admission.expire_offers(event_id) for event_id in waitlist.due_offer_events(now()))


def release_reserves() -> int:
    event_ids = db.session.scalars(
        select(Event.id).where(
            Event.priority_until.is_not(None),
            Event.priority_until <= now(),
            Event.reserve_released_at.is_(None),
        )
    ).all()
    return sum(admission.release_reserve(event_id) for event_id in event_ids)


def close_registrations() -> int:
    event_ids = db.session.scalars(
        select(Event.id).where(Event.registration_closes_at <= now(), Event.closed_at.is_(None))
    ).all()
    return sum(admission.close_waitlist(event_id) for event_id in event_ids)


def lapse_handovers() -> int:
    """End handovers the colleague did not take in time; the giver keeps the seat."""
    return sum(handover.lapse_due(event_id) for event_id in handover.due_events(now()))


def deliver_outbox() -> int:
    total = 0
    while sent := deliver_due():
        total += sent
    return total


#: In order: seat changes first, so the emails they write go out in the same run.
SWEEPS = (
    expire_offers,
    release_reserves,
    close_registrations,
    lapse_handovers,
    briefing.send_due_briefings,
    announcements.send_due,
    retention.purge_unconfirmed,
    retention.erase_expired_events,
    deliver_outbox,
)


def run_sweeps(app: Flask) -> dict[str, int]:
    """Run every sweep once; one failing sweep does not stop the others."""
    done: dict[str, int] = {}
    with app.app_context():
        for sweep in SWEEPS:
            try:
                done[sweep.__name__] = sweep()
            except Exception:
                db.session.rollback()
                log.exception("sweep %s failed", sweep.__name__)
    return done


# APScheduler wiring: the same sweeps, embedded in the web process or in their own.

SWEEP_SECONDS = 10


def run_sweeps_alone(app: Flask) -> dict[str, int] | None:
    """Run the sweeps unless a run is still going in this process; None when skipped.

    The start's catch-up run and the interval's runs are two jobs: a long catch-up (a
    backlog of briefings to send) would otherwise overlap the first interval run, and two
    senders in one process would have two messages in flight at a crash instead of one.
    The run still going sends what came due meanwhile.
    """
    alone = app.extensions.setdefault("signup_sweeps_running", threading.Lock())
    if not alone.acquire(blocking=False):
        return None
    try:
        return run_sweeps(app)
    finally:
        alone.release()


def _add_sweep_job(scheduler: BaseScheduler, app: Flask) -> None:
    scheduler.add_job(
        run_sweeps_alone,
        "interval",
        args=[app],
        seconds=app.config.get("SWEEP_SECONDS", SWEEP_SECONDS),
        id="sweeps",
        max_instances=1,
        coalesce=True,
    )
    # A one-off run at start catches up on whatever came due while the process was down.
    scheduler.add_job(run_sweeps_alone, args=[app], id="catch-up")


def start_embedded(app: Flask) -> BackgroundScheduler:
    """Run the sweeps in a thread of this process (development, single-process use)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_sweep_job(scheduler, app)
    scheduler.start()
    app.extensions["signup_scheduler"] = scheduler
    return scheduler


def run_foreground(app: Flask) -> None:
    """Run the sweeps in the foreground until interrupted (`flask scheduler`)."""
    scheduler = BlockingScheduler(timezone="UTC")
    _add_sweep_job(scheduler, app)
    scheduler.start()
