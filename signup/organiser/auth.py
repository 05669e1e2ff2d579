"""Log in and out. Login is rate-limited per address and, generously, per client."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter
from . import accounts, audit, bp
from .forms import ActionForm, LoginForm

#: Failed logins allowed per address: guessing one account's password is what we stop.
FAILED_LOGINS_PER_ADDRESS = "5 per 15 minutes"
#: Attempts per client address: generous, because a company's people share one address.
LOGINS_PER_CLIENT = "60 per hour"


def _email_key() -> str:
    return "organiser-login:" + accounts.normalise(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code != 303


def _safe_next(target: str | None) -> str:
    """Only a path on this dashboard; anything else (another host, //x) goes to the start."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/organiser/"):
            return target
    return url_for("organiser.events")


@bp.errorhandler(429)
def too_many_attempts(error):
    return render_template("organiser/login.html", form=LoginForm(), throttled=True), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    FAILED_LOGINS_PER_ADDRESS, key_func=_email_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(LOGINS_PER_CLIENT, key_func=get_remote_address, methods=["POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("organiser.events"))
    form = LoginForm()
    if form.validate_on_submit():
        organiser = accounts.authenticate(form.email.data, form.password.data)
        if organiser is not None:
            login_user(organiser)
            audit.record("login")
            flash(_("Du er logget inn."), "ok")
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors.append(_("Feil e-post eller passord."))
    status = 422 if request.method == "POST" else 200
    return render_template("organiser/login.html", form=form, throttled=False), status


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        audit.record("logout")
        logout_user()
        flash(_("Du er logget ut."), "ok")
    return redirect(url_for("organiser.login"), code=303)
