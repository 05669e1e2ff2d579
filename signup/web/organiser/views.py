"""Organiser pages that only read: events, one event, a person, the outbox, settings, audit."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from ...clock import now
from ...core import audit, members, team
from ...core import waitlist as queue
from ...mail import relay
from ...mail.outbox import failed_count
from ...models import GroupCheck, State
from .. import timefmt
from . import bp, charts, labels, paging, queries
from .forms import ActionForm, CancelForm, CapacityForm, DomainsForm, GrantForm, MoveForm, TextsForm
from .lookup import event_or_404, registration_or_404


@bp.get("/")
def events():
    summaries = [
        (event, counts)
        for event, counts in queries.event_summaries()
        if team.may_run(current_user, event)
    ]
    return render_template("organiser/events.html", summaries=summaries)


@bp.get("/events/<slug>/")
def event(slug: str):
    event = event_or_404(slug)
    search = request.args.get("q", "").strip()[:200]
    state = request.args.get("state", "")
    group = request.args.get("group", "")
    counts = queries.seat_counts(event)
    return render_template(
        "organiser/event.html",
        event=event,
        counts=counts,
        chart=charts.build(queries.timeline(event), event.zone, now()),
        waitlist=queries.waitlist_head(event),
        waiting=counts.by_state[State.WAITLISTED],
        offers=queries.open_offers(event),
        unreached=queries.failed_mail_to_offered(event),
        kitchen=queries.kitchen(event),
        people=queries.registration_page(event, _page_number(), search, state, group),
        filters={"q": search, "state": state, "group": group},
        states=list(State),
        form=ActionForm(),
        relay_outage=relay.outage(),
    )


@bp.get("/events/<slug>/waitlist")
def waitlist(slug: str):
    event = event_or_404(slug)
    return render_template(
        "organiser/waitlist.html",
        event=event,
        waiting=queries.waitlist_page(event, _page_number()),
    )


def _page_number() -> int:
    return paging.requested(request.args.get("page"))


@bp.get("/events/<slug>/people/<int:registration_id>")
def person(slug: str, registration_id: int):
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    move = MoveForm(groups=event.groups, group=registration.group.key)
    held = queue.held_seats(event)
    return render_template(
        "organiser/person.html",
        event=event,
        registration=registration,
        position=queue.position(registration),
        held=held,
        # Giving a seat beyond capacity needs the box ticked (the rule in admission.grant_seat).
        full=queue.free(event.capacity, held) == 0,
        messages=queries.outbox_for(registration),
        history=queries.history_of(registration),
        form=ActionForm(),
        grant=GrantForm(),
        cancel=CancelForm(),
        move=move,
        unverified=group_checks()(registration) == GroupCheck.UNVERIFIED,
    )


@bp.get("/events/<slug>/outbox")
def outbox(slug: str):
    event = event_or_404(slug)
    return render_template(
        "organiser/outbox.html",
        event=event,
        messages=queries.outbox_page(event, _page_number()),
        form=ActionForm(),
        failed=failed_count(event.id),
        relay_outage=relay.outage(),
    )


@bp.get("/events/<slug>/settings")
def settings(slug: str):
    return settings_page(event_or_404(slug))


def settings_page(event, status: int = 200, typed=None, group_key: str = ""):
    """The settings page; a form `typed` that came back with errors shows its input and why.

    `typed` is a CapacityForm, a TextsForm or the DomainsForm of the group `group_key`.
    """
    capacity = CapacityForm(formdata=None, capacity=event.capacity)
    texts = TextsForm(formdata=None, briefing=event.briefing, offer_hours=event.offer_hours)
    if isinstance(typed, CapacityForm):
        capacity = typed
    elif isinstance(typed, TextsForm):
        texts = typed
    domains = [
        (group, typed if group.key == group_key and typed is not None else form)
        for group, form in domain_forms(event)
    ]
    page = render_template(
        "organiser/settings.html",
        event=event,
        held=queue.held_seats(event),
        capacity=capacity,
        texts=texts,
        domains=domains,
        refused=typed,
    )
    return page, status


def domain_forms(event) -> list[tuple]:
    """(group, form) for each priority group, the form filled with its member domains."""
    domains = members.domains_by_group(event)
    return [
        (group, DomainsForm(formdata=None, prefix=group.key, domains="\n".join(domains[group.id])))
        for group in event.groups
        if members.is_priority_claim(event, group)
    ]


@bp.get("/audit")
def audit_log():
    return render_template(
        "organiser/audit.html",
        entries=queries.audit_page(_page_number()),
        account_actions=audit.ACCOUNT_ACTIONS,
        person_actions=audit.PERSON_ACTIONS,
        sweep_actions=audit.SWEEP_ACTIONS,
    )


@bp.context_processor
def organiser_words() -> dict:
    """Labels and a local-time formatter for every organiser template."""
    return {
        "state_words": labels.STATE_LABELS,
        "check_words": labels.GROUP_CHECK_LABELS,
        "message_words": labels.MESSAGE_STATE_LABELS,
        "kind_words": labels.EMAIL_KIND_LABELS,
        "action_words": audit.ACTION_LABELS,
        "person_actions": audit.PERSON_ACTIONS,
        "local": local_time,
        "check_of": group_checks(),
    }


def group_checks():
    """A function giving the group check shown for a person; one query per event it meets."""
    listed: dict[int, set[int]] = {}

    def check_of(registration) -> GroupCheck:
        if registration.event_id not in listed:
            listed[registration.event_id] = members.groups_with_domains(registration.event)
        return members.shown_check(registration, listed[registration.event_id])

    return check_of


def local_time(moment, event=None) -> str:
    """'17.03.2031 13:05' in the event's zone (or the app's); empty for no moment."""
    if moment is None:
        return ""
    zone = event.zone if event is not None else current_app.config["TIMEZONE"]
    return timefmt.local(moment, zone).strftime("%d.%m.%Y %H:%M")
