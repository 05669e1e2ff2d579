"""Render an email of a given kind for a registration from the templates in emails/."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from . import links
from .calendar import admission_ics
from .models import Registration, State

#: The kinds of email a registrant can receive; each has emails/<kind>.txt and .html.
KINDS = (
    "confirm",
    "status",
    "admitted",
    "waitlisted",
    "offer",
    "lapsed",
    "declined",
    "cancelled",
    "waitlist_closed",
    "briefing",
    "waitlist_reminder",
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    ics: str | None = None


def render(kind: str, registration: Registration, **context) -> RenderedEmail:
    """Subject, text and HTML for `kind`; the subject is `{% set subject %}` in the .txt."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    manage_url = links.manage_url(registration)
    context = {
        "registration": registration,
        "event": registration.event,
        "manage_url": manage_url,
        "event_url": links.event_url(registration.event.slug),
        **context,
    }
    if kind == "confirm":
        context["confirm_url"] = links.confirm_url(registration)
    if kind == "offer" or registration.state == State.OFFERED:
        # Every email to someone with an open offer carries it: the offer email may be lost.
        context["offer_url"] = links.offer_url(registration)
    env = current_app.jinja_env
    # The registrant's own language, whatever the language of the request that sends it.
    with force_locale(registration.language or "nb"):
        text_module = env.get_template(f"emails/{kind}.txt").make_module(context)
        subject = " ".join(str(getattr(text_module, "subject", "")).split())
        html = env.get_template(f"emails/{kind}.html").render(context, subject_line=subject)
        text = str(text_module).strip() + "\n"
    ics = admission_ics(registration, manage_url) if kind == "admitted" else None
    return RenderedEmail(subject=subject, text=text, html=html, ics=ics)
