"""Organiser actions: each a POST with CSRF, each audited, seats only through admission."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...core import admission, audit, members
from ...database import write_transaction
from ...extensions import db
from ...mail import outbox
from ...models import MessageState, OutboxMessage, Registration, State
from . import bp, paging
from .forms import ActionForm, CancelForm, CapacityForm, DomainsForm, GrantForm, MoveForm, TextsForm
from .lookup import event_or_404, registration_or_404
from .views import settings_page

#: Why admission refused an organiser's action, in words.
REFUSALS = {
    "not_waiting": _l("Personen står ikke på ventelisten lenger. Ingenting er endret."),
    "full": _l("Møtet er fullt. Kryss av for overbooking hvis personen skal få plass likevel."),
    "unknown_group": _l("Gruppen finnes ikke. Ingenting er endret."),
    "negative_capacity": _l("Antall plasser kan ikke være negativt."),
    "unknown": _l("Påmeldingen finnes ikke lenger."),
}


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
    before = event.capacity
    offers = admission.set_capacity(event.id, form.capacity.data)
    event = event_or_404(slug)
    if event.capacity != before or offers:
        detail = f"{before} -> {event.capacity}; {offers} tilbud sendt"
        audit.record("capacity", event, detail=detail)
    flash(
        _(
            "Antall plasser er nå %(capacity)s. %(offers)s tilbud om plass er sendt.",
            capacity=event.capacity,
            offers=offers,
        ),
        "ok",
    )
    held = admission.held_seats(event)
    if held > event.capacity:
        flash(
            _(
                "%(n)s flere har plass enn det er plasser. Ingen er fjernet; "
                "meld av noen hvis det trengs.",
                n=held - event.capacity,
            ),
            "warn",
        )
    return _to_settings(event)


def _paragraphs(text: str | None) -> str:
    """The text with LF line ends: browsers send CRLF, and paragraphs are split on LF LF."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


@bp.post("/events/<slug>/texts")
def change_texts(slug: str):
    event = event_or_404(slug)
    form = TextsForm()
    if not form.validate_on_submit():
        return settings_page(event, 422, form)
    briefing = _paragraphs(form.briefing.data)
    hours = float(form.offer_hours.data)
    with write_transaction():
        changed = []
        if briefing != _paragraphs(event.briefing):
            event.briefing = briefing
            changed.append("smittevernsinformasjon")
        if hours != event.offer_hours:
            changed.append(f"svarfrist {event.offer_hours:g} -> {hours:g} t")
            event.offer_hours = hours
        if changed:
            audit.add("texts", event, detail="; ".join(changed))
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
    with write_transaction():
        members.replace_domains(event, group, domains)
        changed = members.recheck_event(event)
        audit.add("domains", event, detail=f"{group.key}: {len(domains)} domener; {changed} endret")
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
    had_seat = registration.state in (State.ADMITTED, State.OFFERED)
    reason = " ".join((form.reason.data or "").split())
    outcome = admission.cancel(registration.public_id, by_organiser=True, reason=reason)
    if not outcome.changed:
        flash(_("Personen hadde ingen plass eller ventelisteplass å melde av."), "info")
        return _to_person(event, registration)
    audit.record("cancel", event, registration)
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
    if not admission.waitlist_length(event):
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
    try:
        admission.grant_seat(registration.public_id, allow_overflow=bool(form.allow_overflow.data))
    except admission.AdmissionError as error:
        flash(str(REFUSALS.get(error.reason, error.reason)), "error")
        return _to_person(event, registration)
    detail = "over kapasitet" if form.allow_overflow.data else ""
    audit.record("grant_seat", event, registration, detail=detail)
    flash(_("Personen har fått plass og får e-post om det."), "ok")
    return _to_person(event, registration)


@bp.post("/events/<slug>/people/<int:registration_id>/move")
def move_group(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    before = registration.group.key
    form = MoveForm(groups=event.groups)
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_person(event, registration)
    try:
        outcome = admission.move_group(registration.public_id, form.group.data)
    except admission.AdmissionError as error:
        flash(str(REFUSALS.get(error.reason, error.reason)), "error")
        return _to_person(event, registration)
    if outcome.changed:
        audit.record("move_group", event, registration, detail=f"{before} -> {form.group.data}")
        flash(_("Personen er flyttet til %(group)s.", group=outcome.registration.group.label), "ok")
    else:
        flash(_("Personen var allerede i den gruppen."), "info")
    return _to_person(event, registration)


@bp.post("/events/<slug>/people/<int:registration_id>/accept-group")
def accept_group(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    with write_transaction():
        accepted = members.accept_claim(registration)
        if accepted:
            audit.add("accept_group", event, registration, detail=registration.group.key)
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
    last = _last_kind(registration)
    if last is not None and registration.state == State.OFFERED:
        # Whatever went last, an open offer is what the person needs in hand.
        last = "offer"
    if last is None:
        flash(_("Personen har ingen e-post å sende på nytt."), "error")
        return _to_person(event, registration)
    with write_transaction():
        context = {}
        if registration.state == State.WAITLISTED:
            context["position"] = admission.waitlist_position(registration)
        outbox.enqueue(last, registration, **context)
        audit.add("resend", event, registration, detail=last)
    if last == "offer":
        flash(_("Tilbudet om plass er sendt på nytt, med samme frist."), "ok")
    else:
        flash(_("Siste e-post er sendt på nytt, med oppdaterte lenker."), "ok")
    return _to_person(event, registration)


def _last_kind(registration: Registration) -> str | None:
    if registration.email_normalised is None:
        return None
    return db.session.scalar(
        db.select(OutboxMessage.kind)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


@bp.post("/events/<slug>/outbox/<int:message_id>/requeue")
def requeue(slug: str, message_id: int):
    event = event_or_404(slug)
    message = db.session.get(OutboxMessage, message_id)
    ActionForm().validate_on_submit()
    if message is None or message.event_id != event.id:
        flash(_("Fant ikke e-posten."), "error")
    elif message.state != MessageState.FAILED:
        flash(_("Bare e-post som har feilet kan sendes på nytt."), "info")
    else:
        with write_transaction():
            outbox.requeue(message.id)
            audit.add("requeue", event, detail=f"e-post #{message.id} ({message.kind})")
        flash(_("E-posten er lagt i kø og sendes straks."), "ok")
    # Back to the page of the outbox the button was on (page 1 needs no number).
    page = paging.requested(request.args.get("page"))
    return redirect(
        url_for("organiser.outbox", slug=event.slug, page=page if page > 1 else None), code=303
    )


@bp.post("/events/<slug>/outbox/requeue-failed")
def requeue_failed(slug: str):
    event = event_or_404(slug)
    with write_transaction():
        count = outbox.requeue_failed(OutboxMessage.event_id == event.id)
        if count:
            audit.add("requeue_failed", event, detail=f"{count} e-poster")
    if count:
        flash(_("%(count)s feilet e-post er lagt i kø og sendes straks.", count=count), "ok")
    else:
        flash(_("Ingen e-post har feilet."), "info")
    return redirect(url_for("organiser.outbox", slug=event.slug), code=303)
