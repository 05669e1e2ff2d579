"""An organiser's own account: a forgotten password, links to choose one, a new password.

The forgotten-password answer is the same page and the same work (one email) whether the
address has an account or not. Requests are limited per address and per client.
"""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from limits import parse

from ... import tokens
from ...core import credentials
from ...core.addresses import normalise_email
from ...extensions import limiter
from ..i18n import current_language
from . import bp
from .account_forms import ChangePasswordForm, ChoosePasswordForm, ForgotForm, TurnOffForm

log = logging.getLogger(__name__)

#: Reset links per address: enough for a lost email or two, not a mailbox flood.
RESETS_PER_ADDRESS = "3/hour"
#: Reset requests per client address, over all addresses.
RESETS_PER_CLIENT = "10/hour"
#: Failed password changes per account: a borrowed session cannot guess the password.
CHANGES_PER_ACCOUNT = "10/hour"


def _spend_reset(address: str) -> None:
    """Count a reset request for `address` before anything is sent; 429 when none are left."""
    key = normalise_email(address)[:254]
    try:
        allowed = limiter.limiter.hit(parse(RESETS_PER_ADDRESS), "organiser-reset", key)
    except Exception:  # a storage outage must not stop resets: the limit degrades
        log.warning("rate-limit storage unreachable; the per-address reset limit is not counted")
        return
    if not allowed:
        abort(429)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(RESETS_PER_CLIENT, key_func=get_remote_address, methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        _spend_reset(form.email.data)
        credentials.request_reset(form.email.data, current_language())
        return render_template("organiser/forgot_sent.html")
    status = 422 if form.errors else 200
    return render_template("organiser/forgot.html", form=form, throttled=False), status


def _link_page(purpose: str, token: str):
    """The page of an invite or reset link: GET shows the form, only POST sets a password."""
    try:
        organiser = credentials.account_for_link(purpose, token)
    except tokens.LinkError as error:
        status = 400 if error.reason == "invalid" else 410
        return render_template("organiser/link_problem.html", reason=error.reason), status
    form = ChoosePasswordForm(account_email=organiser.email)
    if form.validate_on_submit():
        try:
            credentials.choose_password(purpose, token, form.password.data)
        except tokens.LinkError as error:  # used by another tab in the meantime
            return render_template("organiser/link_problem.html", reason=error.reason), 410
        flash(_("Passordet er lagret. Logg inn med det nye passordet."), "ok")
        return redirect(url_for("organiser.login"), code=303)
    status = 422 if form.errors else 200
    page = render_template(
        "organiser/choose_password.html", form=form, purpose=purpose, email=organiser.email
    )
    return page, status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    return _link_page(tokens.RESET, token)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    return _link_page(tokens.INVITE, token)


@bp.get("/account")
def account():
    return render_template(
        "organiser/account.html",
        form=ChangePasswordForm(account_email=current_user.email),
        off_form=TurnOffForm(),
    )


def _account_key() -> str:
    return f"organiser-password:{current_user.id}"


@bp.post("/account/password")
@limiter.limit(
    CHANGES_PER_ACCOUNT,
    key_func=_account_key,
    deduct_when=lambda response: response.status_code != 303,
)
def change_password():
    form = ChangePasswordForm(account_email=current_user.email)
    if form.validate_on_submit():
        organiser = current_user._get_current_object()
        if credentials.change_password(organiser, form.current.data, form.password.data):
            # Every other session has ended; this one goes on under the new version.
            login_user(organiser)
            flash(_("Passordet er byttet. Du er logget ut alle andre steder."), "ok")
            return redirect(url_for("organiser.account"), code=303)
        form.current.errors.append(_("Nåværende passord er feil."))
    return render_template("organiser/account.html", form=form, off_form=TurnOffForm()), 422
