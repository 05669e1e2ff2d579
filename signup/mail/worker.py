"""The delivery worker: a thread that sends the outbox right after each commit."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from .outbox import WAKE_FLAG, deliver_due

log = logging.getLogger(__name__)

#: Even without a wake-up, look for due rows (retries) this often, in seconds.
POLL_SECONDS = 5.0


class DeliveryWorker:
    """Sleeps until woken by a commit that wrote outbox rows, then sends them."""

    def __init__(self, app: Flask):
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the email in hand; the rows not sent stay in the outbox."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                with self.app.app_context():
                    while deliver_due(stop=self._stop):
                        pass
            except Exception:
                log.exception("outbox delivery run failed")


_workers: list[DeliveryWorker] = []


@sa_event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(WAKE_FLAG, False):
        for worker in _workers:
            worker.wake()


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(WAKE_FLAG, None)


def start_worker(app: Flask) -> DeliveryWorker:
    """Start the app's delivery thread (once) and wake it after commits."""
    worker = app.extensions.get("signup_delivery")
    if worker is None:
        worker = DeliveryWorker(app)
        app.extensions["signup_delivery"] = worker
        _workers.append(worker)
        worker.start()
    return worker


def stop_worker(app: Flask) -> None:
    worker = app.extensions.pop("signup_delivery", None)
    if worker is not None:
        worker.stop()
        _workers.remove(worker)
