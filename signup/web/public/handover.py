"""Handing a seat to a colleague: the giver's form and the colleague's page with one button.

Only the holder of a manage link can start a handover; the colleague's link opens a page,
and only its POST takes the seat (core/handover.py, core/admission.py decide).
"""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ... import tokens
from ...core import admission, retention
from ...core import handover as handovers
from ...core.errors import Refused
from ...models import Handover
from ..i18n import current_language, follow_registration
from ..refusals import in_words
from ..security import personal
from . import bp, limits
from .forms import email_field, name_field
from .views import _registration_from, refused, status_page


class HandoverForm(FlaskForm):
    """The colleague the seat goes to: a name and an address, nothing more."""

    name = name_field(_l("Kollegaens fulle navn"), autocomplete="off")
    email = email_field()


@bp.context_processor
def _open_handover():
    # The manage page's handover section asks for the giver's open handover, if any.
    return {"open_handover": handovers.open_for, "may_hand_over": handovers.may_hand_over}


@bp.route("/m/<token>/handover", methods=["GET", "POST"])
@limits.client_limit
@personal
def handover_start(token: str):
    """The form naming the colleague; its POST emails them the link (the GET changes nothing)."""
    registration, _ = _registration_from(tokens.MANAGE, token)
    if not handovers.may_hand_over(registration):
        return status_page(registration)
    form = HandoverForm()
    if form.validate_on_submit():
        limits.spend_link(form.email.data)
        try:
            handovers.start(registration, form.name.data, form.email.data, current_language())
        except Refused as error:
            return refused(registration, error.reason)
        return status_page(registration, just_handed=True)
    status = 422 if form.errors else 200
    page = render_template(
        "public/handover_start.html",
        registration=registration,
        event=registration.event,
        form=form,
        token=token,
        back=url_for(".manage", token=token),
    )
    return page, status


@bp.post("/m/<token>/handover/withdraw")
@personal
def handover_withdraw(token: str):
    registration, _ = _registration_from(tokens.MANAGE, token)
    withdrawn = handovers.withdraw(registration)
    return status_page(registration, handover_withdrawn=withdrawn)


def _handover_from(token: str) -> Handover:
    """The handover a colleague's link is for, or a clear error page."""
    try:
        payload = tokens.read(tokens.HANDOVER, token)
    except tokens.LinkError as error:
        abort(410 if error.reason == "expired" else 400, description=error.reason)
    handover = handovers.by_public_id(payload.registration)
    if handover is None or retention.is_erased(handover.giver):
        abort(410, description="erased")
    follow_registration(handover.language)
    return handover


#: The colleague's page answers 410 Gone for a handover that can no longer be taken.
GONE = {"lapsed", "withdrawn", "refused", "seat_gone"}


def _colleague_page(handover: Handover, refusal: str | None = None, code: int | None = None):
    standing = handovers.standing(handover)
    page = render_template(
        "public/handover.html",
        handover=handover,
        event=handover.event,
        giver_name=handover.giver.name,
        standing=standing,
        refusal=refusal,
    )
    return page, code or (410 if standing in GONE else 200)


@bp.get("/h/<token>")
@personal
def handover(token: str):
    """The colleague's link: a page with one button; the GET changes nothing."""
    return _colleague_page(_handover_from(token))


@bp.post("/h/<token>")
@personal
def handover_accept(token: str):
    handover = _handover_from(token)
    try:
        admission.accept_handover(handover)
    except Refused as error:
        current = handovers.by_public_id(handover.public_id)
        return _colleague_page(current, in_words(error.reason), 409)
    return _colleague_page(handovers.by_public_id(handover.public_id))
