"""Organiser actions: each a POST with CSRF; each calls one core function that owns its
transaction and audit entry (seats only through admission). Nothing here commits.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ...core import admission, mailings, members, settings, waitlist
from ...core.errors import Refused
from ...models import SEAT_HOLDING, Registration
from ..refusals import in_words
from . import bp, paging
from .forms import ActionForm, CancelForm, CapacityForm, DomainsForm, GrantForm, MoveForm, TextsForm
from .lookup import event_or_404, registration_or_404, signed_in
from .views import settings_page


def _to_person(event, registration: Registration):
    return redirect(
        url_for("organiser.person", slug=event.slug, registration_id=registration.id), code=303
    )


def _to_settings(event):
    return redirect(url_for("organiser.settings", slug=event.slug), code=303)


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        flash(str(errors[0]), "error")


@bp.post("/events/<slug>/capacity")
def change_capacity(slug: str):
    event = event_or_404(slug)
    form = CapacityForm()
    if not form.validate_on_submit():
        return settings_page(event, 422, form)
    # The form allows no negative number, so the rules refuse nothing here.
    offers = admission.set_capacity(event.id, form.capacity.data, by=signed_in())
    flash(
        _(
            "Antall plasser er nå %(capacity)s. %(offers)s tilbud om plass er sendt.",
            capacity=event.capacity,
            offers=offers,
        ),
        "ok",
    )
    over = waitlist.overflow(event.capacity, waitlist.held_seats(event))
    if over:
        flash(
            _(
                "%(n)s flere har plass enn det er plasser. Ingen er fjernet; "
                "meld av noen hvis det trengs.",
                n=over,
            ),
            "warn",
        )
    return _to_settings(event)


@bp.post("/events/<slug>/texts")
def change_texts(slug: str):
    event = event_or_404(slug)
    form = TextsForm()
    if not form.validate_on_submit():
        return settings_page(event, 422, form)
    hours = float(form.offer_hours.data)
    changed = settings.change_texts(event, form.briefing.data, hours, by=signed_in())
    if changed:
        flash(_("Endringene er lagret. Tilbud som alt er sendt beholder sin frist."), "ok")
    else:
        flash(_("Ingenting å lagre: teksten og svarfristen var uendret."), "info")
    return _to_settings(event)


@bp.post("/events/<slug>/groups/<key>/domains")
def change_domains(slug: str, key: str):
    event = event_or_404(slug)
    group = next((g for g in event.groups if g.key == key), None)
    if group is None or not members.is_priority_claim(event, group):
        flash(_("Denne gruppen har ingen medlemsliste."), "error")
        return _to_settings(event)
    form = DomainsForm(prefix=group.key)
    domains = None
    try:
        domains = members.parse_domains(form.domains.data) if form.validate_on_submit() else None
    except members.DomainError as error:
        message = _(
            "«%(line)s» er ikke et domene, for eksempel firma.no. Ingenting er lagret.",
            line=error.line,
        )
        form.domains.errors = [message]
    if domains is None:
        return settings_page(event, 422, form, group.key)
    changed = settings.change_domains(event, group.key, domains, by=signed_in())
    flash(
        _(
            "Medlemslisten for %(group)s er lagret (%(domains)s domener). "
            "%(changed)s påmeldinger fikk ny status for gruppen.",
            group=group.label,
            domains=len(domains),
            changed=changed,
        ),
        "ok",
    )
    return _to_settings(event)


@bp.post("/events/<slug>/people/<int:registration_id>/cancel")
def cancel(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    form = CancelForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_person(event, registration)
    had_seat = registration.state in SEAT_HOLDING
    reason = " ".join((form.reason.data or "").split())
    outcome = admission.cancel(registration, reason, by=signed_in())
    if not outcome.changed:
        flash(_("Personen hadde ingen plass eller ventelisteplass å melde av."), "info")
        return _to_person(event, registration)
    flash(_("Personen er meldt av og har fått e-post."), "ok")
    flash(_offer_news(event, had_seat, outcome.offers), "ok" if outcome.offers else "info")
    return _to_person(event, registration)


def _offer_news(event, had_seat: bool, offers: int) -> str:
    """Whether the cancellation sent an offer to the waitlist, and if not, why."""
    if offers:
        return _("%(offers)s tilbud om plass er sendt til neste på ventelisten.", offers=offers)
    if not had_seat:
        return _("Personen hadde ingen plass, så ingen fikk tilbud om plass.")
    if not event.registration_open():
        return _("Ingen fikk tilbud om plassen: påmeldingen er stengt.")
    if not waitlist.length(event):
        return _("Ingen fikk tilbud om plassen: ventelisten er tom.")
    return _(
        "Ingen fikk tilbud om plassen: den er holdt av for prioriterte grupper, "
        "eller møtet er fortsatt fullt."
    )


@bp.post("/events/<slug>/people/<int:registration_id>/grant")
def grant_seat(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    form = GrantForm()
    form.validate_on_submit()
    overflow = bool(form.allow_overflow.data)
    try:
        admission.grant_seat(registration, allow_overflow=overflow, by=signed_in())
    except Refused as error:
        flash(in_words(error.reason), "error")
        return _to_person(event, registration)
    flash(_("Personen har fått plass og får e-post om det."), "ok")
    return _to_person(event, registration)


@bp.post("/events/<slug>/people/<int:registration_id>/move")
def move_group(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    form = MoveForm(groups=event.groups)
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_person(event, registration)
    try:
        outcome = admission.move_group(registration, form.group.data, by=signed_in())
    except Refused as error:
        flash(in_words(error.reason), "error")
        return _to_person(event, registration)
    if outcome.changed:
        flash(_("Personen er flyttet til %(group)s.", group=outcome.registration.group.label), "ok")
    else:
        flash(_("Personen var allerede i den gruppen."), "info")
    return _to_person(event, registration)


@bp.post("/events/<slug>/people/<int:registration_id>/accept-group")
def accept_group(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    accepted = settings.accept_group(registration, by=signed_in())
    if accepted:
        flash(
            _("Gruppen «%(group)s» er godtatt for personen.", group=registration.group.label), "ok"
        )
    else:
        flash(_("Gruppen trengte ikke å godtas."), "info")
    return _to_person(event, registration)


@bp.post("/events/<slug>/people/<int:registration_id>/resend")
def resend(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    last = mailings.resend_last(registration, by=signed_in())
    if last is None:
        flash(_("Personen har ingen e-post å sende på nytt."), "error")
        return _to_person(event, registration)
    if last == "offer":
        flash(_("Tilbudet om plass er sendt på nytt, med samme frist."), "ok")
    else:
        flash(_("Siste e-post er sendt på nytt, med oppdaterte lenker."), "ok")
    return _to_person(event, registration)


@bp.post("/events/<slug>/outbox/<int:message_id>/requeue")
def requeue(slug: str, message_id: int):
    event = event_or_404(slug)
    ActionForm().validate_on_submit()
    outcome = mailings.requeue(event, message_id, by=signed_in())
    if outcome == "unknown":
        flash(_("Fant ikke e-posten."), "error")
    elif outcome == "not_failed":
        flash(_("Bare e-post som har feilet kan sendes på nytt."), "info")
    else:
        flash(_("E-posten er lagt i kø og sendes straks."), "ok")
    # Back to the page of the outbox the button was on (page 1 needs no number).
    page = paging.requested(request.args.get("page"))
    return redirect(
        url_for("organiser.outbox", slug=event.slug, page=page if page > 1 else None), code=303
    )


@bp.post("/events/<slug>/outbox/requeue-failed")
def requeue_failed(slug: str):
    event = event_or_404(slug)
    count = mailings.requeue_failed(event, by=signed_in())
    if count:
        flash(_("%(count)s feilet e-post er lagt i kø og sendes straks.", count=count), "ok")
    else:
        flash(_("Ingen e-post har feilet."), "info")
    return redirect(url_for("organiser.outbox", slug=event.slug), code=303)
