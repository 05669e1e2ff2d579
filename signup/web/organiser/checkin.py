"""Check-in at the door: a page for a phone; search works without JavaScript."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...core import checkin as door
from ...extensions import db
from ...models import Event, Registration, State
from . import bp, queries
from .forms import ActionForm
from .lookup import event_or_404, registration_or_404, signed_in

#: What a tap at the door did, in words, and how it looks. The redirect names the person by
#: id and the page says their name: a name never travels in the (readable) session cookie.
OUTCOMES = {
    "arrived": (lambda name: _("%(name)s er registrert som ankommet.", name=name), "ok"),
    "already": (
        lambda name: _("%(name)s var allerede registrert som ankommet.", name=name),
        "info",
    ),
    "no_seat": (
        lambda name: _("%(name)s har ikke plass og kan ikke sjekkes inn.", name=name),
        "error",
    ),
    "undone": (lambda name: _("Ankomsten til %(name)s er angret.", name=name), "ok"),
}


def _search() -> str:
    return (request.args.get("q") or "").strip()[:200]


def _back(event: Event, person: Registration, outcome: str):
    # The search clears: the next person at the door is someone else.
    return redirect(
        url_for("organiser.checkin", slug=event.slug, person=person.id, outcome=outcome), code=303
    )


def _outcome(event: Event) -> dict | None:
    """The result of the last tap, from the redirect's person id and outcome."""
    outcome = request.args.get("outcome", "")
    person_id = request.args.get("person", type=int)
    if outcome not in OUTCOMES or person_id is None:
        return None
    person = db.session.get(Registration, person_id)
    if person is None or person.event_id != event.id or person.erased_at is not None:
        return None
    words, category = OUTCOMES[outcome]
    return {"text": words(person.name), "category": category}


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
        outcome=_outcome(event),
        admitted=counts.admitted,
        arrived=queries.checked_in_count(event),
        form=ActionForm(),
    )


@bp.post("/events/<slug>/checkin/<int:registration_id>")
def check_in(slug: str, registration_id: int):
    event = event_or_404(slug)
    person = registration_or_404(event, registration_id)
    outcome = door.check_in(person, by=signed_in())
    return _back(event, person, outcome)


@bp.post("/events/<slug>/checkin/<int:registration_id>/undo")
def undo_check_in(slug: str, registration_id: int):
    event = event_or_404(slug)
    person = registration_or_404(event, registration_id)
    undone = door.undo_check_in(person, by=signed_in())
    if not undone:
        return redirect(url_for("organiser.checkin", slug=event.slug), code=303)
    return _back(event, person, "undone")
