"""Jinja filters shared by pages and emails."""

from __future__ import annotations

from flask import Flask

from . import timefmt
from .models import State

#: Each state in words, as a registrant reads it.
STATE_LABELS = {
    State.UNCONFIRMED: "ikke bekreftet",
    State.ADMITTED: "har plass",
    State.WAITLISTED: "på venteliste",
    State.OFFERED: "tilbudt plass",
    State.DECLINED: "takket nei til plass",
    State.LAPSED: "tilbudet gikk ut",
    State.CANCELLED: "meldt av",
}


def register_filters(app: Flask) -> None:
    def _when(moment, event, language="nb"):
        return timefmt.long_datetime(moment, event.zone, language) if moment else ""

    def _span(event, language="nb"):
        return timefmt.time_span(event.starts_at, event.ends_at, event.zone, language)

    app.add_template_filter(_when, "when")
    app.add_template_filter(_span, "event_time")
    app.add_template_filter(lambda state: STATE_LABELS.get(state, str(state)), "state_label")
