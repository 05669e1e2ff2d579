"""Two-step sign-in: the code page after the password, and turning it on and off.

Between the two steps the session holds only the account id, its session version and
when the password was given: nobody is logged in until the code is right, and the half
way expires after a few minutes or when the account's sessions end.
"""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ...clock import now
from ...core import twostep
from ...extensions import db, limiter
from ...models import Organiser
from . import bp
from .account_forms import ChangePasswordForm, CodeForm, TurnOffForm, TurnOnForm

PENDING = "second_step"
PENDING_FOR = timedelta(minutes=5)
#: Wrong codes per account half-way in: six digits are not guessed in five tries.
FAILED_CODES_PER_ACCOUNT = "5 per 15 minutes"
FAILED_CODES_PER_CLIENT = "20 per hour"


def ask_for_code(organiser: Organiser, target: str | None):
    """The password was right: remember that, and ask for the code."""
    session[PENDING] = [organiser.id, organiser.session_version, now().timestamp(), target]
    return redirect(url_for("organiser.login_code"), code=303)


def _pending() -> tuple[Organiser, str | None] | None:
    """The account half-way in, and where it was going; None when there is none or it ended."""
    held = session.get(PENDING)
    if not isinstance(held, list) or len(held) != 4:
        return None
    account_id, version, since, target = held
    organiser = db.session.get(Organiser, account_id) if isinstance(account_id, int) else None
    if organiser is None or not organiser.is_active or organiser.session_version != version:
        return None
    if not isinstance(since, float) or now().timestamp() - since > PENDING_FOR.total_seconds():
        return None
    return organiser, target


def _pending_key() -> str:
    held = session.get(PENDING)
    return f"organiser-code:{held[0] if isinstance(held, list) and held else ''}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    FAILED_CODES_PER_ACCOUNT,
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 303,
)
@limiter.limit(
    FAILED_CODES_PER_CLIENT,
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 303,
)
def login_code():
    from .auth import finish_login  # auth imports this module for ask_for_code

    pending = _pending()
    if pending is None:
        session.pop(PENDING, None)
        return redirect(url_for("organiser.login"), code=303)
    organiser, target = pending
    form = CodeForm()
    if form.validate_on_submit():
        if twostep.check_code(organiser, form.code.data):
            session.pop(PENDING, None)
            return finish_login(db.session.get(Organiser, organiser.id), target)
        form.code.errors.append(_("Koden stemmer ikke, eller den er allerede brukt."))
    status = 422 if request.method == "POST" else 200
    return render_template("organiser/login_code.html", form=form), status


@bp.get("/account/twostep")
def twostep_setup():
    if current_user.totp_secret:
        return redirect(url_for("organiser.account"), code=303)
    secret = twostep.new_secret()
    return _setup_page(TurnOnForm(secret=secret), 200)


def _setup_page(form: TurnOnForm, status: int):
    secret = form.secret.data
    uri = twostep.setup_uri(secret, current_user.email)
    # An inline SVG as a data: URI (the CSP allows img-src data:): no third-party service
    # ever sees the secret.
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1b1b1b")
    page = render_template("organiser/twostep_setup.html", form=form, secret=secret, uri=uri, qr=qr)
    return page, status


@bp.post("/account/twostep")
@limiter.limit(FAILED_CODES_PER_CLIENT, key_func=get_remote_address)
def twostep_turn_on():
    form = TurnOnForm()
    if current_user.totp_secret or not twostep.is_secret(form.secret.data or ""):
        return redirect(url_for("organiser.twostep_setup"), code=303)
    if form.validate_on_submit():
        me = current_user._get_current_object()
        codes = twostep.turn_on(me, form.secret.data, form.code.data)
        if codes is not None:
            return render_template("organiser/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Koden stemmer ikke. Sjekk at klokka på telefonen er riktig."))
    return _setup_page(form, 422)


@bp.post("/account/twostep/off")
def twostep_turn_off():
    form = TurnOffForm()
    if form.validate_on_submit():
        if twostep.turn_off(current_user._get_current_object(), form.password_now.data):
            flash(_("Totrinns innlogging er slått av."), "ok")
            return redirect(url_for("organiser.account"), code=303)
        form.password_now.errors.append(_("Passordet er feil."))
    page = render_template(
        "organiser/account.html",
        form=ChangePasswordForm(account_email=current_user.email),
        off_form=form,
    )
    return page, 422
