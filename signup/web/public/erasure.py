"""The person's own "Slett opplysningene mine": a page with one button; only its POST acts."""

from __future__ import annotations

from flask import render_template, url_for

from ... import tokens
from ...core import admission, retention
from ..security import personal
from . import bp, mydata
from .views import _registration_from, status_page


@bp.get("/m/<token>/slett")
@personal
def erase(token: str):
    """What erasing means for this person now, and the button; looking changes nothing."""
    registration, _ = _registration_from(tokens.MANAGE, token)
    return render_template(
        "public/erase_confirm.html",
        registration=registration,
        event=registration.event,
        stored=mydata.stored_about(registration),
        form_action=url_for(".erase_post", token=token),
        back=url_for(".manage", token=token),
    )


@bp.post("/m/<token>/slett")
@personal
def erase_post(token: str):
    """Erase now (before the meeting) or record the request (attendee list kept)."""
    registration, _ = _registration_from(tokens.MANAGE, token)
    outcome = admission.erase_on_request(registration)
    if outcome.registration.erased_at is not None:
        # The same page the manage link shows from now on.
        return render_template("errors/error.html", code=200, reason="erased_on_request")
    kept_until = retention.kept_until(registration.event)
    return status_page(outcome.registration, erasure_recorded=kept_until)
