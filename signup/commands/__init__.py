"""The `flask` command groups."""

from __future__ import annotations

from flask import Flask

from . import event, organiser, outbox


def register(app: Flask) -> None:
    """Add every command group to `flask`."""
    event.register(app)
    organiser.register(app)
    outbox.register(app)
