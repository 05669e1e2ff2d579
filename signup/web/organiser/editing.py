"""Organisers make and run events: create, edit, preview, publish, close, duplicate.

The form is the one definition of an event (core/eventschema.py), the same the event file
is checked with. Seats change only through the admission rules (core/events.py).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...core import eventfile, events, waitlist
from ...core.eventschema import EventForm, slugify
from ...models import EventStatus
from . import bp
from .forms import ActionForm
from .lookup import event_or_404, signed_in

#: Blank group rows offered under the event's groups, to add new ones.
BLANK_GROUPS = 2
#: What each status button does, and the message after it.
STATUS_DONE = {
    EventStatus.PUBLISHED: _l("Møtet er publisert. Påmeldingen er åpen."),
    EventStatus.CLOSED: _l("Påmeldingen er stengt."),
}


def _posted_form(**data) -> EventForm:
    """The form as posted, the address suggested from the title when left empty."""
    if request.method != "POST":
        form = EventForm(data=data) if data else EventForm()
        for _blank in range(BLANK_GROUPS):
            form.groups.append_entry()
        return form
    posted = request.form.copy()
    if not posted.get("slug", "").strip():
        posted["slug"] = slugify(posted.get("title", ""))
    return EventForm(formdata=posted)


def _form_page(form: EventForm, event=None, status: int = 200, **context):
    template = "organiser/event_form.html"
    return render_template(template, form=form, event=event, **context), status


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = _posted_form()
    if not form.validate_on_submit():
        return _form_page(form, status=422 if request.method == "POST" else 200)
    if events.by_slug(form.slug.data) is not None:
        form.slug.errors.append(_("Adressen er i bruk av et annet møte. Velg en annen."))
        return _form_page(form, status=422)
    event = events.create(eventfile.definition(form), by=signed_in(), status=EventStatus.DRAFT)
    flash(_("Møtet er lagret som utkast. Bare arrangører ser det til du publiserer."), "ok")
    return redirect(url_for("organiser.event", slug=event.slug), code=303)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def edit_event(slug: str):
    event = event_or_404(slug)
    fixed_slug = events.has_registrations(event)
    form = _posted_form(**eventfile.form_data(event))
    page = {"event": event, "fixed_slug": fixed_slug}
    if not form.validate_on_submit():
        return _form_page(form, status=422 if request.method == "POST" else 200, **page)
    if form.slug.data != event.slug and (fixed_slug or events.by_slug(form.slug.data)):
        form.slug.errors.append(_("Adressen kan ikke endres til denne."))
        return _form_page(form, status=422, **page)
    definition = eventfile.definition(form)
    notify = events.calendar_notices(event, definition)
    if notify and request.form.get("confirmed") != "1":
        return _form_page(form, notify=notify, **page)
    try:
        applied, offers = events.apply(event.id, definition, by=signed_in())
    except eventfile.EventFileError:
        form.groups.errors.append(_("En gruppe noen har meldt seg på i, kan ikke fjernes."))
        return _form_page(form, status=422, **page)
    _flash_saved(len(applied), offers, notify)
    return redirect(url_for("organiser.event", slug=definition.values["slug"]), code=303)


def _flash_saved(changed: int, offers: int, notified: int) -> None:
    flash(_("%(n)s endringer er lagret.", n=changed), "ok")
    if offers:
        flash(_("%(n)s tilbud om plass er sendt til ventelisten.", n=offers), "ok")
    if notified:
        flash(_("%(n)s med plass får beskjed med ny kalenderfil.", n=notified), "ok")


@bp.get("/events/<slug>/preview")
def preview(slug: str):
    """The public page as people will see it, also for a draft."""
    event = event_or_404(slug)
    seats = waitlist.free_seats(event)
    return render_template(
        "public/event.html", event=event, form=None, free_seats=seats, preview=True
    )


@bp.post("/events/<slug>/publish")
def publish(slug: str):
    return _set_status(slug, EventStatus.PUBLISHED)


@bp.post("/events/<slug>/close")
def close(slug: str):
    return _set_status(slug, EventStatus.CLOSED)


def _set_status(slug: str, status: EventStatus):
    event = event_or_404(slug)
    if not ActionForm().validate_on_submit() or event.status == EventStatus.CANCELLED:
        flash(_("Ingenting er endret. Last siden på nytt og prøv igjen."), "error")
    else:
        events.set_status(event.id, status, by=signed_in())
        flash(str(STATUS_DONE[status]), "ok")
    return redirect(url_for("organiser.event", slug=slug), code=303)


@bp.post("/events/<slug>/cancel")
def cancel_event(slug: str):
    event = event_or_404(slug)
    form = ActionForm()
    if not form.validate_on_submit() or request.form.get("sure") != "avlys":
        flash(_("Møtet er ikke avlyst. Kryss av for at du er sikker, og prøv igjen."), "error")
    elif event.status == EventStatus.CANCELLED:
        flash(_("Møtet er allerede avlyst."), "error")
    else:
        told = events.cancel(event.id, by=signed_in())
        flash(_("Møtet er avlyst. %(n)s påmeldte får beskjed på e-post.", n=told), "ok")
    return redirect(url_for("organiser.event", slug=slug), code=303)


@bp.post("/events/<slug>/duplicate")
def duplicate(slug: str):
    event = event_or_404(slug)
    if not ActionForm().validate_on_submit():
        flash(_("Ingenting er endret. Last siden på nytt og prøv igjen."), "error")
        return redirect(url_for("organiser.event", slug=slug), code=303)
    copy = events.duplicate(event.id, by=signed_in())
    flash(_("Kopien er lagret som utkast. Endre dato og adresse før du publiserer."), "ok")
    return redirect(url_for("organiser.edit_event", slug=copy.slug), code=303)
