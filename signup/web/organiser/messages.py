"""Messages from the organisers: write one to a segment, preview it, test it on yourself,
send it now or schedule it; edit or withdraw it until it goes; see what went to whom.

Each action calls one core function (core/announcements.py) that owns its transaction
and audit entry; the segments and their counts come from core/segments.py.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from limits import parse
from markupsafe import Markup

from ...core import announcements, segments
from ...extensions import db, limiter
from ...mail import render
from ...models import Announcement, AnnouncementState, Event
from ..security import DEV_MAILBOX_POLICY
from . import bp
from .forms import ActionForm
from .lookup import event_or_404, signed_in
from .message_forms import LATER, MessageForm

#: Tests to yourself per organiser account.
TESTS_PER_ORGANISER = "20/hour"
#: Where a message stands, in words.
STATE_WORDS = {
    AnnouncementState.SCHEDULED: _l("planlagt"),
    AnnouncementState.SENT: _l("sendt"),
    AnnouncementState.WITHDRAWN: _l("trukket tilbake"),
}
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
#: A page with a preview shows the email's HTML, which carries inline styles.
PREVIEW_POLICY = DEV_MAILBOX_POLICY


@bp.get("/events/<slug>/messages")
def messages(slug: str):
    event = event_or_404(slug)
    return _page(event, MessageForm(formdata=None, event=event))


@bp.post("/events/<slug>/messages")
def write_message(slug: str):
    """One form, three buttons: preview, test to yourself, send (or schedule)."""
    event = event_or_404(slug)
    form = MessageForm(event=event)
    if not form.validate_on_submit():
        return _page(event, form, status=422)
    action = request.form.get("action", "preview")
    if action == "test":
        _send_test(event, form)
    elif action == "send":
        announcement = _send_or_schedule(event, form)
        return redirect(_message_url(event, announcement), code=303)
    return _page(event, form, preview=True)


def _send_test(event: Event, form: MessageForm) -> None:
    # A test goes only to the organiser's own address; the limit keeps a stuck button or
    # a script from filling that mailbox (and our relay's quota).
    if not limiter.limiter.hit(parse(TESTS_PER_ORGANISER), "message-test", str(current_user.id)):
        flash(_("Du har sendt mange tester den siste timen. Prøv igjen senere."), "error")
        return
    announcements.send_test(
        event, form.subject.data, form.body.data, current_user.email, by=signed_in()
    )
    flash(_("En test er sendt til %(address)s.", address=current_user.email), "ok")


def _send_or_schedule(event: Event, form: MessageForm) -> Announcement:
    values = (event.id, form.subject.data, form.body.data, form.segment.data)
    if form.when.data == LATER:
        announcement = announcements.schedule(*values, form.moment(), by=signed_in())
        flash(_("Meldingen er planlagt. Du kan endre eller trekke den tilbake til den går."), "ok")
        return announcement
    announcement = announcements.send(*values, by=signed_in())
    flash(
        _("Meldingen sendes nå til %(count)s mottakere.", count=announcement.recipient_count), "ok"
    )
    return announcement


def _message_url(event: Event, announcement: Announcement) -> str:
    return url_for("organiser.message", slug=event.slug, announcement_id=announcement.id)


def _page(event: Event, form: MessageForm, status: int = 200, preview: bool = False, **extra):
    """The message page: the form (with a preview once asked for) and the event's messages."""
    counts = segments.counts(event)
    form.segment.choices = [
        (key, f"{words} ({counts[key]})") for key, words in form.segment.choices
    ]
    page = render_template(
        extra.pop("template", "organiser/messages.html"),
        event=event,
        form=form,
        counts=counts,
        **_preview(event, form, preview),
        listed=announcements.of_event(event),
        segment_words=lambda key: segments.words(event, key),
        announcement_words=STATE_WORDS,
        sample_name=render.SAMPLE_NAME,
        form_limits={"subject": announcements.SUBJECT_MAX},
        **extra,
    )
    headers = {"Content-Security-Policy": PREVIEW_POLICY} if preview else {}
    return page, status, headers


def _preview(event: Event, form: MessageForm, wanted: bool) -> dict:
    """The email for a sample recipient, and its HTML part's body to show in the page."""
    if not wanted:
        return {"preview": None}
    email = render.render_sample(
        event, message_subject=form.subject.data, message_body=form.body.data
    )
    # The email's own rendering (its organiser text escaped by the Markdown): no frame, so
    # the page keeps one document; its inline styles need the preview's policy.
    body = _BODY.search(email.html)
    return {"preview": email, "preview_body": Markup(body.group(1) if body else "")}


def announcement_or_404(event: Event, announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.event_id != event.id:
        abort(404)
    return announcement


@bp.get("/events/<slug>/messages/<int:announcement_id>")
def message(slug: str, announcement_id: int):
    event = event_or_404(slug)
    announcement = announcement_or_404(event, announcement_id)
    form = MessageForm(formdata=None, event=event, **_values_of(announcement))
    return _message_page(event, announcement, form)


def _values_of(announcement: Announcement) -> dict:
    moment = announcement.scheduled_at
    return {
        "subject": announcement.subject,
        "body": announcement.body,
        "segment": announcement.segment,
        "when": LATER,
        "scheduled_at": moment.astimezone(announcement.event.zone).replace(tzinfo=None)
        if moment
        else None,
    }


def _message_page(event, announcement, form, status: int = 200, preview: bool = False):
    sent, total = announcements.progress(announcement)
    return _page(
        event,
        form,
        status,
        preview,
        template="organiser/message.html",
        announcement=announcement,
        sent=sent,
        total=total,
        copies=announcements.copies(announcement),
        action_form=ActionForm(),
    )


@bp.post("/events/<slug>/messages/<int:announcement_id>")
def edit_message(slug: str, announcement_id: int):
    """Change a scheduled message (or preview the change) until it goes."""
    event = event_or_404(slug)
    announcement = announcement_or_404(event, announcement_id)
    form = MessageForm(event=event)
    form.when.data = LATER  # a scheduled message stays scheduled; "send now" is a new one
    if not form.validate_on_submit():
        return _message_page(event, announcement, form, 422)
    if request.form.get("action") != "save":
        return _message_page(event, announcement, form, preview=True)
    values = (form.subject.data, form.body.data, form.segment.data, form.moment())
    if announcements.edit(event, announcement.id, *values, by=signed_in()):
        flash(_("Endringene er lagret."), "ok")
    else:
        flash(_("Meldingen er allerede sendt eller trukket tilbake, og kan ikke endres."), "error")
    return redirect(_message_url(event, announcement), code=303)


@bp.post("/events/<slug>/messages/<int:announcement_id>/withdraw")
def withdraw_message(slug: str, announcement_id: int):
    event = event_or_404(slug)
    announcement = announcement_or_404(event, announcement_id)
    ActionForm().validate_on_submit()
    if announcements.withdraw(event, announcement.id, by=signed_in()):
        flash(_("Meldingen er trukket tilbake og blir ikke sendt."), "ok")
    else:
        flash(_("Meldingen er allerede sendt eller trukket tilbake."), "error")
    return redirect(_message_url(event, announcement), code=303)
