"""APScheduler wiring: the same sweeps, embedded in the web process or in their own."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .jobs import run_sweeps

SWEEP_SECONDS = 10


def _add_sweep_job(scheduler: BaseScheduler, app: Flask) -> None:
    scheduler.add_job(
        run_sweeps,
        "interval",
        args=[app],
        seconds=app.config.get("SWEEP_SECONDS", SWEEP_SECONDS),
        id="sweeps",
        max_instances=1,
        coalesce=True,
    )
    # A one-off run at start catches up on whatever came due while the process was down.
    scheduler.add_job(run_sweeps, args=[app], id="catch-up")


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
