"""Check-in at the door: a page for a phone; search works without JavaScript."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..clock import now
from ..database import write_transaction
from ..models import State
from . import audit, bp, queries
from .forms import ActionForm
from .lookup import event_or_404, registration_or_404


def _search() -> str:
    return (request.values.get("q") or "").strip()[:200]


def _back(event, search: str):
    return redirect(url_for("organiser.checkin", slug=event.slug, q=search or None), code=303)


@bp.get("/events/<slug>/checkin")
def checkin(slug: str):
    event = event_or_404(slug)
    search = _search()
    people = [
        person
        for person in queries.registrations(event, search)
        if person.state != State.UNCONFIRMED
    ]
    # Admitted people first: they are the ones expected at the door.
    people.sort(key=lambda person: (person.state != State.ADMITTED, person.name.casefold()))
    counts = queries.seat_counts(event)
    return render_template(
        "organiser/checkin.html",
        event=event,
        people=people,
        search=search,
        admitted=counts.admitted,
        arrived=queries.checked_in_count(event),
        form=ActionForm(),
    )


@bp.post("/events/<slug>/checkin/<int:registration_id>")
def check_in(slug: str, registration_id: int):
    event = event_or_404(slug)
    person = registration_or_404(event, registration_id)
    name = person.name
    with write_transaction():
        if person.state != State.ADMITTED:
            message = (
                _("%(name)s har ikke plass og kan ikke sjekkes inn.", name=person.name),
                "error",
            )
        elif person.checked_in_at is not None:
            message = (
                _("%(name)s var allerede registrert som ankommet.", name=person.name),
                "info",
            )
        else:
            person.checked_in_at = now()
            audit.add("check_in", event, person)
            message = (_("%(name)s er registrert som ankommet.", name=name), "ok")
    flash(*message)
    return _back(event, _search())


@bp.post("/events/<slug>/checkin/<int:registration_id>/undo")
def undo_check_in(slug: str, registration_id: int):
    event = event_or_404(slug)
    person = registration_or_404(event, registration_id)
    with write_transaction():
        undone = person.checked_in_at is not None
        if undone:
            person.checked_in_at = None
            audit.add("undo_check_in", event, person)
    if undone:
        flash(_("Ankomsten til %(name)s er angret.", name=person.name), "ok")
    return _back(event, _search())
