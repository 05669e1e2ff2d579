"""Render an email of a given kind for a registration from the templates in emails/."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import force_locale

from ..database import seat_lock_held
from ..models import Event, Registration, State
from . import inline, kinds, links
from .calendar import CANCEL, PUBLISH, calendar_file
from .plaintext import wrap_text

#: The kinds of email a registrant can receive (kinds.py lists them all).
KINDS = tuple(kinds.TO_REGISTRATION)
#: Kinds sent to an address that has no registration.
ADDRESS_KINDS = tuple(kinds.TO_ADDRESS)
#: Kinds sent to an organiser's address about their account (no event, no registration).
ACCOUNT_KINDS = tuple(kinds.TO_ACCOUNT)
#: Kinds sent to the colleague a seat is handed to.
HANDOVER_KINDS = tuple(kinds.TO_HANDOVER)


class RenderedInSeatLock(RuntimeError):
    """An email was about to be rendered while the seat lock is held: render after commit."""


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
    #: The check-in pass's QR code, which the HTML shows by its Content-ID.
    inline_image: inline.InlineImage | None = None


def render(kind: str, registration: Registration, **context) -> RenderedEmail:
    """Subject, text and HTML for `kind`; the subject is `{% set subject %}` in the .txt.

    `withdraw_calendar=True` attaches a CANCEL for the entry an admission email put in
    the person's calendar; `link_version` is the version of the details a confirm link
    is for (0: the registration's own).
    """
    _refuse_in_seat_lock()
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    link_version = context.pop("link_version", 0)
    manage_url = links.manage_url(registration)
    context = {
        "registration": registration,
        "event": registration.event,
        "manage_url": manage_url,
        "event_url": links.event_url(registration.event.slug),
        "privacy_url": links.privacy_url(registration.event.slug),
        **context,
    }
    if kind == "confirm" or (
        kind == "already_registered" and registration.state == State.UNCONFIRMED
    ):
        context.setdefault("confirm_url", links.confirm_url(registration, link_version))
    if kind == "email_change_confirm":
        version = context.pop("email_version", registration.email_version)
        context["change_url"] = links.change_email_url(registration, version)
    if kind == "offer" or registration.state == State.OFFERED:
        # Every email to someone with an open offer carries it: the offer email may be lost.
        context["offer_url"] = links.offer_url(registration)
    pass_context, image = inline.pass_for_email(kind, registration)
    context.update(pass_context)
    # The registrant's own language, whatever the language of the request that sends it.
    language = registration.language or "nb"
    rendered = replace(_render(kind, context, language), inline_image=image)
    method = _calendar_method(kind, context)
    if method is None:
        return rendered
    with force_locale(language):
        ics = calendar_file(registration, manage_url, method)
    return replace(rendered, ics=ics, ics_method=method)


def render_for_address(kind: str, event: Event, language: str, **context) -> RenderedEmail:
    """An email of `kind` about `event` to an address with no registration."""
    _refuse_in_seat_lock()
    if kind not in ADDRESS_KINDS:
        raise ValueError(f"unknown address email kind {kind!r}")
    context = {
        "event": event,
        "event_url": links.event_url(event.slug),
        "privacy_url": links.privacy_url(event.slug),
        **context,
    }
    return _render(kind, context, language)


def render_for_handover(kind: str, handover, language: str) -> RenderedEmail:
    """An email of `kind` to the colleague a seat is handed to: the giver's name, no more."""
    _refuse_in_seat_lock()
    if kind not in HANDOVER_KINDS:
        raise ValueError(f"unknown handover email kind {kind!r}")
    event = handover.event
    context = {
        "event": event,
        "event_url": links.event_url(event.slug),
        "handover": handover,
        "giver_name": handover.giver.name,
        "handover_url": links.handover_url(handover),
    }
    return _render(kind, context, language)


#: An organiser's message as a test to their own address: a sample name, no personal link.
SAMPLE_KIND = "organiser_message_test"
#: The name a preview and a test copy greet, in place of each recipient's own.
SAMPLE_NAME = "Kari Nordmann"


@dataclass(frozen=True)
class _SampleRecipient:
    name: str
    language: str


def render_sample(
    event: Event, language: str = "nb", *, message_subject: str, message_body: str, test=False
) -> RenderedEmail:
    """An organiser's message as a recipient gets it, greeting SAMPLE_NAME (preview, test).

    The same templates as each recipient's copy; the personal manage link is replaced by
    the event page. `test=True` is the copy sent to the organiser, marked as a test.
    """
    _refuse_in_seat_lock()
    context = {
        "registration": _SampleRecipient(SAMPLE_NAME, language),
        "event": event,
        "manage_url": links.event_url(event.slug),
        "event_url": links.event_url(event.slug),
        "message_subject": message_subject,
        "message_body": message_body,
    }
    return _render(SAMPLE_KIND if test else "organiser_message", context, language)


#: The page an account email's signed link opens, by kind.
ACCOUNT_LINKS = {"organiser_invite": "organiser.accept_invite", "password_reset": "organiser.reset"}


def render_for_account(kind: str, language: str, **context) -> RenderedEmail:
    """An email of `kind` about an organiser account; a `token` in `context` is its link."""
    _refuse_in_seat_lock()
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"unknown account email kind {kind!r}")
    token = context.pop("token", None)
    if token is not None:
        context["url"] = links.external_url(ACCOUNT_LINKS[kind], token=token)
    context = {"event": None, "login_url": links.external_url("organiser.login"), **context}
    return _render(kind, context, language)


def _refuse_in_seat_lock() -> None:
    # Rendering takes milliseconds, and every seat decision of the event (on SQLite: every
    # write) waits for the lock: the outbox keeps the intent, and the email is built after.
    if seat_lock_held():
        raise RenderedInSeatLock("emails are rendered after the seat lock's commit")


def _render(kind: str, context: dict, language: str) -> RenderedEmail:
    env = current_app.jinja_env
    with force_locale(language):
        text_module = env.get_template(f"emails/{kind}.txt").make_module(context)
        subject = " ".join(str(getattr(text_module, "subject", "")).split())
        html = env.get_template(f"emails/{kind}.html").render(context, subject_line=subject)
        text = wrap_text(str(text_module).strip()) + "\n"
    event = context["event"]
    return RenderedEmail(
        subject=subject,
        text=text,
        html=html,
        reply_to=(
            (event.organiser_name, event.contact_email)
            if event is not None and event.contact_email
            else None
        ),
    )


def _calendar_method(kind: str, context: dict) -> str | None:
    """Which calendar file goes with this email, if any."""
    if kind in ("admitted", "event_changed"):
        return PUBLISH
    if context.get("withdraw_calendar"):
        return CANCEL
    return None
