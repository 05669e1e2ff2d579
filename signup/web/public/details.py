"""The manage page's "change your details", and the link that confirms a new address."""

from __future__ import annotations

from flask import render_template

from ... import tokens
from ...core import details
from ...core.addresses import normalise_email
from ...core.errors import Refused
from ...models import Registration
from ..refusals import in_words
from ..security import personal
from . import bp, limits
from .forms import DetailsForm
from .views import _registration_from, refused, status_page


@bp.post("/m/<token>/details")
@limits.client_limit
@personal
def change_details(token: str):
    registration, _ = _registration_from(tokens.MANAGE, token)
    form = DetailsForm()
    if not details.editable(registration):
        return refused(registration, details.refusal(registration))
    if not form.validate_on_submit():
        return status_page(registration, 422, details_form=form)
    if _is_new_address(registration, form.email.data):
        limits.spend_address_change(registration.public_id, form.email.data)
    try:
        changed = details.change(registration, form.details(), form.email.data)
    except Refused as error:
        return refused(registration, error.reason)
    return status_page(registration, details_changed=changed)


def _is_new_address(registration: Registration, address: str) -> bool:
    new = normalise_email(address)
    pending = registration.pending_email
    return new != registration.email_normalised and new != normalise_email(pending or "")


@bp.get("/e/<token>")
@personal
def change_email(token: str):
    """The link sent to a new address opens a page with one button: scanners change nothing."""
    registration, version = _registration_from(tokens.CHANGE_EMAIL, token)
    if not details.email_link_current(registration, version):
        return _change_email_page(registration, None, 410)
    return _change_email_page(registration, token)


@bp.post("/e/<token>")
@personal
def change_email_post(token: str):
    """Only the button's POST makes the new address the person's own."""
    registration, version = _registration_from(tokens.CHANGE_EMAIL, token)
    try:
        registration = details.confirm_email(registration, version)
    except Refused as error:
        return _change_email_page(registration, None, 409, refusal=in_words(error.reason))
    return status_page(registration, email_confirmed=True)


def _change_email_page(registration: Registration, token: str | None, status=200, **context):
    # Until the address is confirmed, its owner sees only this page, not the manage page.
    page = render_template(
        "public/change_email.html",
        registration=registration,
        event=registration.event,
        token=token,
        **context,
    )
    return page, status
