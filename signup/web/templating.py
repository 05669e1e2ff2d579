"""Jinja filters shared by pages and emails."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from .. import markdown
from ..models import State
from . import timefmt
from .i18n import current_language

#: Each state in words, as a registrant reads it.
STATE_LABELS = {
    State.UNCONFIRMED: _l("ikke bekreftet"),
    State.ADMITTED: _l("har plass"),
    State.WAITLISTED: _l("på venteliste"),
    State.OFFERED: _l("tilbudt plass"),
    State.DECLINED: _l("takket nei til plass"),
    State.LAPSED: _l("tilbudet gikk ut"),
    State.CANCELLED: _l("meldt av"),
    State.TRANSFERRED: _l("overført"),
}


def first_upper(text: str) -> str:
    """Capitalise the first letter only ('Friday 20 August', not 'Friday 20 august')."""
    return text[:1].upper() + text[1:]


def register_filters(app: Flask) -> None:
    def _when(moment, event, language=None):
        if not moment:
            return ""
        return timefmt.long_datetime(moment, event.zone, language or current_language())

    def _span(event, language=None):
        language = language or current_language()
        return timefmt.time_span(event.starts_at, event.ends_at, event.zone, language)

    app.add_template_filter(_when, "when")
    app.add_template_filter(_span, "event_time")
    app.add_template_filter(first_upper, "first_upper")
    app.add_template_filter(markdown.to_html, "markdown")
    app.add_template_filter(markdown.to_text, "markdown_text")
    app.add_template_filter(lambda state: str(STATE_LABELS.get(state, state)), "state_label")
