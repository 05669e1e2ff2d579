"""Each event's privacy page: who is responsible, what for, on which basis, for how long."""

from __future__ import annotations

from flask import render_template

from ...core import retention
from ...tokens import CONFIRM_VALID
from . import bp
from .views import _public_event


@bp.get("/events/<slug>/personvern")
def privacy(slug: str):
    event = _public_event(slug)
    return render_template(
        "public/privacy.html",
        event=event,
        kept_until=retention.kept_until(event),
        confirm_hours=int(CONFIRM_VALID.total_seconds() // 3600),
    )
