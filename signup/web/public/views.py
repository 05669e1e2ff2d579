"""Public pages. Thin: parse, call a rule, render."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ... import tokens
from ...clock import now
from ...core import admission, retention, signups, waitlist
from ...core.errors import Refusal, Refused
from ...extensions import db
from ...models import Event, EventStatus, Registration, State
from ..i18n import current_language, follow_registration
from ..lookup import event_or_404
from ..refusals import in_words
from ..security import personal
from . import bp, limits, mydata
from .forms import NewLinkForm, SignupForm, details_form


def _public_event(slug: str, *options) -> Event:
    """The event at `slug` for the public; a draft is seen by organisers only (404)."""
    event = event_or_404(slug, *options)
    if event.status == EventStatus.DRAFT:
        abort(404)
    return event


def _open_events() -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.registration_closes_at > now(), Event.status == EventStatus.PUBLISHED)
            .order_by(Event.starts_at)
        )
    )


@bp.get("/")
def index():
    return render_template("public/index.html", events=_open_events())


@bp.route("/events/<slug>/", methods=["GET", "POST"])
@limits.client_limit
@limits.event_limit
def event(slug: str):
    # The form lists the event's groups: read them with the event, in one statement.
    event = _public_event(slug, joinedload(Event.groups))
    form = SignupForm(groups=event.groups)
    if request.method == "POST":
        if not event.registration_open():
            return _event_page(event, None), 409
        if form.filled_honeypot():
            return render_template("public/rejected.html"), 400
        if form.validate_on_submit():
            group = next(g for g in event.groups if g.key == form.group.data)
            people = form.people()
            # Every address is counted before anyone is signed up: over the limit, nobody is.
            for _name, address in people:
                limits.spend_link(address)
            for number, (name, address) in enumerate(people):
                # Colleagues share the organisation and group; phone and diet are the person's.
                own = form.details() if number == 0 else {"phone": "", "dietary": ""}
                details = {**form.details(), **own, "name": name, "email": address}
                signups.sign_up(event, group, details, language=current_language())
            return redirect(url_for(".check_email", slug=slug, people=len(people)), code=303)
        return _event_page(event, form), 422
    return _event_page(event, form if event.registration_open() else None)


def _event_page(event: Event, form: SignupForm | None):
    return render_template(
        "public/event.html",
        event=event,
        form=form,
        free_seats=waitlist.free_seats(event),
        priority_groups=waitlist.priority_groups(event),
    )


@bp.get("/events/<slug>/check-email")
def check_email(slug: str):
    several = (request.args.get("people", 1, type=int) or 1) > 1
    return render_template("public/check_email.html", event=_public_event(slug), several=several)


@bp.route("/new-link", methods=["GET", "POST"])
@limits.client_limit
def new_link():
    events = _open_events()
    form = NewLinkForm()
    form.event.choices = [(event.slug, event.title) for event in events]
    if request.args.get("event") and request.method == "GET":
        form.event.data = request.args["event"]
    if form.validate_on_submit():
        event = _public_event(form.event.data)
        limits.spend_link(form.email.data)
        signups.request_link(event, form.email.data, language=current_language())
        return redirect(url_for(".check_email", slug=event.slug), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("public/new_link.html", form=form), status


def _registration_from(purpose: str, token: str) -> tuple[Registration, int]:
    """The registration a link is for, or a clear error page (raised as an HTTP error)."""
    max_age = tokens.CONFIRM_VALID if purpose in (tokens.CONFIRM, tokens.CHANGE_EMAIL) else None
    try:
        payload = tokens.read(purpose, token, max_age=max_age)
    except tokens.LinkError as error:
        abort(410 if error.reason == "expired" else 400, description=error.reason)
    registration = db.session.scalar(
        select(Registration).where(Registration.public_id == payload.registration)
    )
    if registration is None:
        abort(410, description="expired")
    if retention.is_erased(registration):
        # Links live as long as the attendee list: after the retention period, nothing.
        erased_early = registration.erased_at is not None and now() < retention.kept_until(
            registration.event
        )
        abort(410, description="erased_on_request" if erased_early else "erased")
    follow_registration(registration.language)
    return registration, payload.number


def status_page(registration: Registration, status: int = 200, **context):
    """The registration's current status in words, with the actions that fit it."""
    # The waitlist's length is shown only to someone on it.
    on_waitlist = registration.state == State.WAITLISTED
    return (
        render_template(
            "public/status.html",
            registration=registration,
            event=registration.event,
            position=waitlist.position(registration),
            waiting=waitlist.length(registration.event) if on_waitlist else None,
            manage_token=tokens.sign(tokens.MANAGE, registration.public_id),
            stored=mydata.stored_about(registration),
            **{"details_form": details_form(registration), **context},
        ),
        status,
    )


def refused(registration: Registration, reason: Refusal):
    """A refused action: the current status, with the reason in plain words, 409."""
    return status_page(registration, 409, refusal=in_words(reason))


@bp.get("/c/<token>")
@personal
def confirm(token: str):
    """The confirm link opens a page with one button: link scanners confirm nothing."""
    registration, version = _registration_from(tokens.CONFIRM, token)
    if registration.state != State.UNCONFIRMED:
        return status_page(registration)
    try:
        details = signups.details_for(registration, version)
    except Refused:  # the details this link was sent for were replaced
        return render_template("public/confirm.html", event=registration.event), 410
    page = render_template(
        "public/confirm.html",
        event=registration.event,
        details=details,
        group=signups.group_for(registration, details["group"]),
        token=token,
    )
    return page


@bp.post("/c/<token>")
@personal
def confirm_post(token: str):
    """Only the button's POST confirms; a second one changes nothing and sends nothing."""
    registration, version = _registration_from(tokens.CONFIRM, token)
    try:
        outcome = admission.confirm(registration, version)
    except Refused as error:
        return refused(registration, error.reason)
    return status_page(outcome.registration, just_confirmed=outcome.changed)


@bp.get("/m/<token>")
@personal
def manage(token: str):
    registration, _ = _registration_from(tokens.MANAGE, token)
    return status_page(registration)


LEAVING = {State.ADMITTED: "cancel", State.OFFERED: "cancel", State.WAITLISTED: "leave"}


@bp.post("/m/<token>/cancel")
@personal
def cancel(token: str):
    """First POST asks "are you sure?"; only the second, with confirm=yes, acts."""
    registration, _ = _registration_from(tokens.MANAGE, token)
    if request.form.get("confirm") != "yes" and registration.state in LEAVING:
        return render_template(
            "public/confirm_cancel.html",
            registration=registration,
            event=registration.event,
            action=LEAVING[registration.state],
            form_action=url_for(".cancel", token=token),
            back=url_for(".manage", token=token),
        )
    outcome = admission.cancel(registration)
    return status_page(outcome.registration, just_cancelled=outcome.changed)


@bp.post("/m/<token>/rejoin")
@personal
def rejoin(token: str):
    registration, _ = _registration_from(tokens.MANAGE, token)
    try:
        outcome = admission.rejoin(registration)
    except Refused as error:
        return refused(registration, error.reason)
    return status_page(outcome.registration, just_rejoined=outcome.changed)


@bp.post("/m/<token>/accept")
@personal
def manage_accept(token: str):
    """Take the open offer from the person's own page (the offer email may be lost)."""
    registration, _ = _registration_from(tokens.MANAGE, token)
    return _answer_offer(registration, admission.accept, _offer_number_posted())


@bp.post("/m/<token>/decline")
@personal
def manage_decline(token: str):
    """Turn the open offer down from the person's own page, after "are you sure?"."""
    registration, _ = _registration_from(tokens.MANAGE, token)
    number = _offer_number_posted()
    back = url_for(".manage", token=token)
    return _decline(registration, number, url_for(".manage_decline", token=token), back)


def _offer_number_posted() -> int:
    """The offer the manage page's buttons answer; anything else never matches an offer."""
    value = request.form.get("offer", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


@bp.get("/o/<token>")
@personal
def offer(token: str):
    registration, number = _registration_from(tokens.OFFER, token)
    if number != registration.offer_number:
        return refused(registration, Refusal.STALE_OFFER)
    return render_template(
        "public/offer.html",
        registration=registration,
        event=registration.event,
        token=token,
        manage_token=tokens.sign(tokens.MANAGE, registration.public_id),
    )


def _answer_offer(registration: Registration, decide, number: int):
    try:
        outcome = decide(registration, number)
    except Refused as error:
        return refused(registration, error.reason)
    return status_page(outcome.registration, offer_answered=outcome.changed)


def _decline(registration: Registration, number: int, action: str, back: str):
    """First POST asks "are you sure?" while the offer is open; the second, confirmed, acts."""
    still_open = registration.state == State.OFFERED and number == registration.offer_number
    if still_open and request.form.get("confirm") != "yes":
        return render_template(
            "public/confirm_cancel.html",
            registration=registration,
            event=registration.event,
            action="decline",
            form_action=action,
            back=back,
            offer_number=number,
        )
    return _answer_offer(registration, admission.decline, number)


@bp.post("/o/<token>/accept")
@personal
def accept(token: str):
    registration, number = _registration_from(tokens.OFFER, token)
    return _answer_offer(registration, admission.accept, number)


@bp.post("/o/<token>/decline")
@personal
def decline(token: str):
    registration, number = _registration_from(tokens.OFFER, token)
    action = url_for(".decline", token=token)
    return _decline(registration, number, action, url_for(".offer", token=token))
