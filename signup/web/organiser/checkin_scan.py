"""Check-in by pass at the door: a scanned QR code (posted by the page's script) or a typed code.

Both find the person through core/door_pass.py and check them in through the one core
function, `checkin.check_in`. The page's script posts the scanned token with fetch and
shows the answer fragment it gets back; without JavaScript the short-code form posts,
is redirected to the check-in page (303), and the page shows the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...core import checkin as door
from ...core import door_pass
from ...core.errors import Refusal, Refused
from ...extensions import db
from ...models import Event, Registration, State
from ..i18n import current_language
from ..refusals import in_words
from ..timefmt import clock_time
from . import bp
from .labels import STATE_LABELS
from .lookup import event_or_404, signed_in

#: A token is about 80 characters; anything far longer is not one of ours.
MAX_TOKEN = 400
#: The header the page's script sends: answer with the fragment, not a redirect.
FETCH_HEADER = "X-Checkin-Scan"


@dataclass(frozen=True)
class Answer:
    """What the door reads after a scan: green (ok) or red (error), and who it was."""

    category: str
    text: str
    person: Registration | None = None


def _answer(event: Event, outcome: str, person: Registration | None) -> Answer | None:
    if outcome in {reason.value for reason in Refusal}:
        return Answer("error", in_words(Refusal(outcome)))
    if person is None:
        return None
    if outcome == "arrived":
        return Answer("ok", _("%(name)s er registrert som ankommet.", name=person.name), person)
    if outcome == "already" and person.checked_in_at is not None:
        at = clock_time(person.checked_in_at, event.zone, current_language())
        return Answer("error", _("Allerede registrert ankommet kl. %(time)s.", time=at), person)
    if outcome == "no_seat" and person.state != State.ADMITTED:
        state = STATE_LABELS.get(person.state, "")
        words = _("Har ikke plass (%(state)s) og kan ikke sjekkes inn.", state=state)
        return Answer("error", words, person)
    return None


def _check_in(event: Event, find: Callable[[], Registration]):
    try:
        person = find()
    except Refused as refused:
        outcome, person = refused.reason.value, None
    else:
        outcome = door.check_in(person, by=signed_in())
    if request.headers.get(FETCH_HEADER):
        answer = _answer(event, outcome, person)
        return render_template("organiser/_checkin_answer.html", answer=answer, event=event)
    values = {"scan": outcome, "person": person.id if person is not None else None}
    return redirect(url_for("organiser.checkin", slug=event.slug, **values) + "#scan", code=303)


@bp.post("/events/<slug>/checkin/scan")
def check_in_by_token(slug: str):
    """Check in the person whose QR code was scanned (the token the page's script posts)."""
    event = event_or_404(slug)
    token = (request.form.get("token") or "").strip()[:MAX_TOKEN]
    return _check_in(event, lambda: door_pass.by_token(event, token))


@bp.post("/events/<slug>/checkin/code")
def check_in_by_code(slug: str):
    """Check in the person whose short code was typed (works without JavaScript)."""
    event = event_or_404(slug)
    typed = (request.form.get("code") or "")[:40]
    return _check_in(event, lambda: door_pass.by_code(event, typed))


@bp.context_processor
def scan_answer() -> dict:
    """The answer of the last scan or typed code, from the redirect's query (names by id)."""

    def answer_for(event: Event) -> Answer | None:
        outcome = request.args.get("scan", "")
        person_id = request.args.get("person", type=int)
        person = db.session.get(Registration, person_id) if person_id is not None else None
        if person is not None and (person.event_id != event.id or person.erased_at):
            return None
        return _answer(event, outcome, person)

    return {"scan_answer": answer_for}
