"""The organiser's part in handing a seat to a colleague: approve or refuse one that waits.

A handover waits for an organiser when the colleague's address is not on the member list
of the giver's group; the colleague has already said yes. Approving moves the seat
(core/admission.py), refusing keeps it with the giver (core/handover.py); both audited.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...core import admission
from ...core import handover as handovers
from ...core.errors import Refused
from ...extensions import db
from ...models import Handover
from ..refusals import in_words
from ..security import safe_next
from . import bp
from .forms import ActionForm
from .lookup import event_or_404, signed_in

#: Each state of a handover in the organiser's words.
HANDOVER_WORDS = {
    "pending": _l("venter på kollegaen"),
    "awaiting_approval": _l("venter på godkjenning"),
    "accepted": _l("overført"),
    "lapsed": _l("gikk ut"),
    "withdrawn": _l("trukket tilbake"),
    "refused": _l("avslått av arrangør"),
}


@bp.context_processor
def _handover_reads():
    # The event page lists the handovers waiting; the person page, a person's handovers.
    return {
        "handovers_awaiting": handovers.awaiting_approval,
        "handovers_of": handovers.of_person,
        "handover_words": HANDOVER_WORDS,
    }


def _handover_or_404(event, handover_id: int) -> Handover:
    handover = db.session.get(Handover, handover_id)
    if handover is None or handover.event_id != event.id:
        abort(404)
    return handover


def _back(event):
    fallback = url_for("organiser.event", slug=event.slug)
    target = safe_next(request.form.get("next"), f"/organiser/events/{event.slug}/", fallback)
    return redirect(target, code=303)


@bp.post("/events/<slug>/handovers/<int:handover_id>/approve")
def approve_handover(slug: str, handover_id: int):
    event = event_or_404(slug)
    handover = _handover_or_404(event, handover_id)
    if ActionForm().validate_on_submit():
        try:
            admission.approve_handover(handover, by=signed_in())
            flash(
                _("Overføringen er godkjent. Plassen er overført, og begge har fått e-post."), "ok"
            )
        except Refused as error:
            flash(in_words(error.reason), "error")
    return _back(event)


@bp.post("/events/<slug>/handovers/<int:handover_id>/refuse")
def refuse_handover(slug: str, handover_id: int):
    event = event_or_404(slug)
    handover = _handover_or_404(event, handover_id)
    if ActionForm().validate_on_submit():
        try:
            handovers.refuse(handover, by=signed_in())
            flash(
                _("Overføringen er avslått. Personen beholder plassen; begge har fått e-post."),
                "ok",
            )
        except Refused as error:
            flash(in_words(error.reason), "error")
    return _back(event)
