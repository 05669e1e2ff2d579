"""Render an email of a given kind for a registration from the templates in emails/."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from . import links
from .calendar import CANCEL, PUBLISH, calendar_file
from .models import Registration
from .plaintext import wrap_text

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
    #: The calendar file, UTF-8 bytes, and its METHOD (PUBLISH or CANCEL).
    ics: bytes | None = None
    ics_method: str = PUBLISH
    #: (name, address) replies go to: the event's organiser, when it has a contact address.
    reply_to: tuple[str, str] | None = None


def render(kind: str, registration: Registration, **context) -> RenderedEmail:
    """Subject, text and HTML for `kind`; the subject is `{% set subject %}` in the .txt.

    `withdraw_calendar=True` attaches a CANCEL for the entry an admission email put in
    the person's calendar.
    """
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
    if kind == "offer":
        context["offer_url"] = links.offer_url(registration)
    env = current_app.jinja_env
    # The registrant's own language, whatever the language of the request that sends it.
    with force_locale(registration.language or "nb"):
        text_module = env.get_template(f"emails/{kind}.txt").make_module(context)
        html = env.get_template(f"emails/{kind}.html").render(context)
        subject = " ".join(str(getattr(text_module, "subject", "")).split())
        text = wrap_text(str(text_module).strip()) + "\n"
        method = _calendar_method(kind, context)
        ics = calendar_file(registration, manage_url, method) if method else None
    event = registration.event
    return RenderedEmail(
        subject=subject,
        text=text,
        html=html,
        ics=ics,
        ics_method=method or PUBLISH,
        reply_to=(event.organiser_name, event.contact_email) if event.contact_email else None,
    )


def _calendar_method(kind: str, context: dict) -> str | None:
    """Which calendar file goes with this email, if any."""
    if kind == "admitted":
        return PUBLISH
    if context.get("withdraw_calendar"):
        return CANCEL
    return None
