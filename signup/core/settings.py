"""The organiser's changes to settings and group claims: each one transaction, audited.

Capacity is a seat decision and lives in admission.set_capacity.
"""

from __future__ import annotations

from ..models import Event, Registration
from . import audit, members
from .audit import Actor
from .lock import write_transaction


def paragraphs(text: str | None) -> str:
    """The text with LF line ends: browsers send CRLF, and paragraphs are split on LF LF."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def change_texts(event: Event, briefing: str, offer_hours: float, *, by: Actor) -> list[str]:
    """Save the briefing text and the offer window; returns what changed, as audited."""
    briefing = paragraphs(briefing)
    with write_transaction():
        changed = []
        if briefing != paragraphs(event.briefing):
            event.briefing = briefing
            changed.append("smittevernsinformasjon")
        if offer_hours != event.offer_hours:
            changed.append(f"svarfrist {event.offer_hours:g} -> {offer_hours:g} t")
            event.offer_hours = offer_hours
        if changed:
            audit.add("texts", event, detail="; ".join(changed), by=by)
    return changed


def change_domains(event: Event, group_key: str, domains: list[str], *, by: Actor) -> int:
    """Make `domains` a group's member list and re-check everyone; returns how many changed."""
    with write_transaction():
        group = next(g for g in event.groups if g.key == group_key)
        members.replace_domains(event, group, domains)
        changed = members.recheck_event(event)
        detail = f"{group.key}: {len(domains)} domener; {changed} endret"
        audit.add("domains", event, detail=detail, by=by)
    return changed


def accept_group(registration: Registration, *, by: Actor) -> bool:
    """Accept a person's unverified group claim; returns whether anything changed."""
    with write_transaction():
        accepted = members.accept_claim(registration)
        if accepted:
            detail = registration.group.key
            audit.add("accept_group", registration.event, registration, detail=detail, by=by)
    return accepted
