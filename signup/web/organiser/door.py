"""At the door and in the kitchen: walk-ins, the printable door list, the attendance list
for contact tracing (page and CSV) and the kitchen's summary. Who may open which is in
access.py; every seat goes through admission.admit_walk_in.
"""

from __future__ import annotations

from datetime import datetime

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from ...core import admission, audit, walkins
from ...core.errors import Refusal, Refused
from ...models import Event, Registration
from ..refusals import in_words
from . import attendance, bp, queries
from .exports import csv_bytes, download, neutralise
from .forms import WalkInForm
from .lookup import event_or_404, signed_in

ATTENDANCE_HEADERS = [
    _l("Ankommet"),
    _l("Navn"),
    _l("Virksomhet"),
    _l("E-post"),
    _l("Telefon"),
    _l("Gruppe"),
    _l("Uten påmelding"),
]
YES, NO = _l("ja"), _l("nei")


def _walk_in_page(event: Event, form: WalkInForm, status: int = 200, refused: str = ""):
    page = render_template("organiser/walk_in.html", event=event, form=form, refused=refused)
    return page, status


@bp.get("/events/<slug>/walk-in")
def walk_in_page(slug: str):
    event = event_or_404(slug)
    return _walk_in_page(event, WalkInForm(groups=event.groups))


@bp.post("/events/<slug>/walk-in")
def walk_in(slug: str):
    event = event_or_404(slug)
    form = WalkInForm(groups=event.groups)
    if not form.validate_on_submit():
        return _walk_in_page(event, form, 422)
    person = walkins.WalkIn(
        name=form.name.data,
        organisation=form.organisation.data,
        phone=form.phone.data,
        email=form.email.data or "",
        group_key=form.group.data,
    )
    try:
        outcome = admission.admit_walk_in(
            event.id, person, form.allow_overflow.data, by=signed_in()
        )
    except Refused as refused:
        if refused.reason != Refusal.FULL:
            return _walk_in_page(event, form, 409, in_words(refused.reason))
        # Full: the tick is the way forward, so the words stand at the tick.
        form.allow_overflow.errors = [in_words(refused.reason)]
        return _walk_in_page(event, form, 409)
    # As a tap at the door: the check-in page names the person by the id in the redirect.
    said = "arrived" if outcome.changed else "already"
    person_id = outcome.registration.id
    return redirect(
        url_for("organiser.checkin", slug=event.slug, person=person_id, outcome=said), code=303
    )


@bp.get("/events/<slug>/door-list")
def door_list(slug: str):
    event = event_or_404(slug)
    people = attendance.door_list(event)
    return render_template("organiser/door_list.html", event=event, people=people)


@bp.get("/events/<slug>/attendance")
def attendance_list(slug: str):
    event = event_or_404(slug)
    arrived = attendance.arrivals(event)
    audit.record("export", event, detail="oppmøteliste (side)", by=signed_in())
    return render_template("organiser/attendance.html", event=event, arrived=arrived)


def _attendance_row(event: Event, person: Registration) -> list[str | datetime]:
    texts = [person.name, person.organisation, person.email, person.phone, person.group.label]
    # Spreadsheets have no time zones: the wall-clock time at the event's place.
    arrived = person.checked_in_at.astimezone(event.zone).replace(tzinfo=None)
    return [
        arrived,
        *(neutralise(text or "") for text in texts),
        str(YES if person.walk_in else NO),
    ]


@bp.get("/events/<slug>/attendance.csv")
def attendance_csv(slug: str):
    event = event_or_404(slug)
    rows = (_attendance_row(event, person) for person in attendance.arrivals(event))
    body = csv_bytes(ATTENDANCE_HEADERS, rows)
    audit.record("export", event, detail="oppmøteliste (CSV)", by=signed_in())
    return download(body, "text/csv; charset=utf-8", f"oppmote-{event.slug}.csv")


@bp.get("/events/<slug>/kitchen")
def kitchen(slug: str):
    event = event_or_404(slug)
    return render_template("organiser/kitchen.html", event=event, kitchen=queries.kitchen(event))
