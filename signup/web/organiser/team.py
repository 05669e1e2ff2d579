"""The administrator's page of accounts: invite, role and events, disable and enable."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...core import accounts, team
from ...extensions import db, limiter
from ...models import Event, Organiser
from . import bp
from .account_forms import AccessForm, InviteForm
from .forms import ActionForm

#: Invitations sent per administrator: a team, not a mailing list (or a stolen session's spam).
INVITES_PER_ADMIN = "30/hour"


def _events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc())))


def _account_or_404(organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        abort(404)
    return organiser


@bp.get("/team")
def team_page(form: InviteForm | None = None, status: int = 200):
    form = form or InviteForm(events=_events())
    page = render_template(
        "organiser/team.html", accounts=accounts.all_organisers(), form=form, action=ActionForm()
    )
    return page, status


def _admin_key() -> str:
    return f"organiser-invites:{current_user.id}"


@bp.post("/team/invite")
@limiter.limit(INVITES_PER_ADMIN, key_func=_admin_key)
def invite():
    form = InviteForm(events=_events())
    if form.validate_on_submit():
        if accounts.find(form.email.data) is not None:
            form.email.errors.append(_("Det finnes allerede en konto med denne adressen."))
        else:
            me = current_user._get_current_object()
            team.invite(me, form.email.data, form.role.data, form.all_events.data, form.events.data)
            flash(_("Invitasjonen er sendt til %(email)s.", email=form.email.data.strip()), "ok")
            return redirect(url_for("organiser.team_page"), code=303)
    return team_page(form, 422)


@bp.get("/team/<int:organiser_id>")
def member(organiser_id: int, form: AccessForm | None = None, status: int = 200):
    organiser = _account_or_404(organiser_id)
    form = form or AccessForm(
        events=_events(),
        role=organiser.role,
        all_events=organiser.all_events,
        data={"events": [event.id for event in organiser.events]},
    )
    page = render_template(
        "organiser/member.html", member=organiser, form=form, action=ActionForm()
    )
    return page, status


@bp.post("/team/<int:organiser_id>/access")
def set_access(organiser_id: int):
    organiser = _account_or_404(organiser_id)
    form = AccessForm(events=_events())
    if organiser.id == current_user.id:
        abort(403)
    if not form.validate_on_submit():
        return member(organiser_id, form, 422)
    me = current_user._get_current_object()
    team.set_access(me, organiser, form.role.data, form.all_events.data, form.events.data)
    flash(_("Tilgangen er endret."), "ok")
    return redirect(url_for("organiser.member", organiser_id=organiser.id), code=303)


@bp.post("/team/<int:organiser_id>/disable")
def set_disabled(organiser_id: int):
    organiser = _account_or_404(organiser_id)
    if organiser.id == current_user.id:
        abort(403)
    if ActionForm().validate_on_submit():
        disable = request.form.get("disable") == "1"
        team.set_disabled(current_user._get_current_object(), organiser, disable)
        message = _("Kontoen er sperret og logget ut.") if disable else _("Kontoen er åpnet.")
        flash(message, "ok")
    return redirect(url_for("organiser.member", organiser_id=organiser.id), code=303)


@bp.post("/team/<int:organiser_id>/invite-again")
@limiter.limit(INVITES_PER_ADMIN, key_func=_admin_key)
def invite_again(organiser_id: int):
    organiser = _account_or_404(organiser_id)
    if ActionForm().validate_on_submit() and not organiser.has_password:
        team.invite_again(current_user._get_current_object(), organiser)
        flash(_("Invitasjonen er sendt på nytt. Den forrige lenken virker ikke lenger."), "ok")
    return redirect(url_for("organiser.member", organiser_id=organiser.id), code=303)
