"""Log in and out.

Failed logins are counted per account *and* client: five wrong passwords lock that account
against that client only, so nobody can lock an organiser out from elsewhere. A client is
also limited in failures over all accounts, and, generously, in attempts.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ...core import accounts, audit
from ...core.addresses import normalise_email
from ...extensions import limiter
from ..security import safe_next
from . import access, bp, second_step
from .account_forms import ForgotForm
from .forms import ActionForm, LoginForm
from .lookup import signed_in

#: Failed logins allowed per account and client: guessing one password is what we stop.
FAILED_LOGINS_PER_ACCOUNT_AND_CLIENT = "5 per 15 minutes"
#: Failed logins per client over all accounts: trying many accounts is stopped too.
FAILED_LOGINS_PER_CLIENT = "20 per hour"
#: Attempts per client address: generous, because a company's people share one address.
LOGINS_PER_CLIENT = "60 per hour"


def _account_and_client_key() -> str:
    account = normalise_email(request.form.get("email", ""))[:254]
    return f"organiser-login:{account}:{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code != 303


def _safe_next(target: str | None) -> str:
    """Only a page of this dashboard; anything else (another host, //x) goes to the start."""
    return safe_next(target, within="/organiser/", fallback=access.home_url())


@bp.errorhandler(429)
def too_many_attempts(error):
    if request.endpoint == "organiser.forgot":
        return render_template("organiser/forgot.html", form=ForgotForm(), throttled=True), 429
    if request.endpoint not in ("organiser.login", "organiser.login_code"):
        return render_template("errors/error.html", code=429, reason=None), 429
    return render_template("organiser/login.html", form=LoginForm(), throttled=True), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    FAILED_LOGINS_PER_ACCOUNT_AND_CLIENT,
    key_func=_account_and_client_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    FAILED_LOGINS_PER_CLIENT, key_func=get_remote_address, methods=["POST"], deduct_when=_failed
)
@limiter.limit(LOGINS_PER_CLIENT, key_func=get_remote_address, methods=["POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(access.home_url())
    form = LoginForm()
    if form.validate_on_submit():
        organiser = accounts.authenticate(form.email.data, form.password.data)
        if organiser is not None and organiser.totp_secret:
            return second_step.ask_for_code(organiser, request.args.get("next"))
        if organiser is not None:
            return finish_login(organiser, request.args.get("next"))
        audit.record_failed_login(accounts.find(form.email.data))
        form.password.errors.append(_("Feil e-post eller passord."))
    status = 422 if request.method == "POST" else 200
    return render_template("organiser/login.html", form=form, throttled=False), status


def finish_login(organiser, target: str | None):
    """Log the account in (both steps passed) and go where it asked to."""
    # Permanent: refreshed on every request, so it ends after PERMANENT_SESSION_LIFETIME
    # without one (12 hours), not after the browser's whim or 31 days.
    session.permanent = True
    login_user(organiser)
    audit.record("login", by=organiser)
    flash(_("Du er logget inn."), "ok")
    return redirect(_safe_next(target), code=303)


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        # Every session of this account ends, including any copy of this cookie.
        accounts.log_out(signed_in())
        logout_user()
        flash(_("Du er logget ut."), "ok")
    return redirect(url_for("organiser.login"), code=303)
