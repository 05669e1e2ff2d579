"""Member lists: which email domains back a claimed priority group.

A group ranked better than the event's last rank is a priority claim. A registrant whose
address is on one of that group's member domains has the claim matched; otherwise it is
"medlemskap ikke sjekket" (shown only where the group has a member list) until an
organiser accepts it or moves the person. Admission never reads this: it keeps working on
the claimed group until the organiser acts.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Event, GroupCheck, MemberDomain, PriorityGroup, Registration

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class DomainError(ValueError):
    """A member list line that is not a domain; `line` is what was given."""

    def __init__(self, line: str):
        super().__init__(line)
        self.line = line


def parse_domains(text: str) -> list[str]:
    """One domain per line (or separated by commas); '@' and 'www.' are dropped."""
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        value = raw.strip().lower().lstrip("@")
        if not value:
            continue
        if not DOMAIN.match(value):
            raise DomainError(raw)
        if value not in domains:
            domains.append(value)
    return sorted(domains)


def address_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def matches(email: str, domains: list[str]) -> bool:
    """True when the address is on one of `domains` or on a subdomain of one."""
    host = address_domain(email)
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def is_priority_claim(event: Event, group: PriorityGroup) -> bool:
    """A group ranked better than the event's last rank needs membership."""
    return group.rank < max(g.rank for g in event.groups)


def check_for(event: Event, group: PriorityGroup, email: str, domains: list[str]) -> GroupCheck:
    if not is_priority_claim(event, group):
        return GroupCheck.NOT_NEEDED
    return GroupCheck.MATCHED if matches(email, domains) else GroupCheck.UNVERIFIED


def group_domains(group: PriorityGroup) -> list[str]:
    return list(
        db.session.scalars(select(MemberDomain.domain).where(MemberDomain.group_id == group.id))
    )


def check_registration(registration: Registration) -> None:
    """Set the group check of one registration (at sign-up); an accepted claim stays."""
    if registration.group_check == GroupCheck.ACCEPTED:
        return
    group = registration.group
    registration.group_check = check_for(
        registration.event, group, registration.email, group_domains(group)
    )


def domains_by_group(event: Event) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(MemberDomain.group_id, MemberDomain.domain)
        .join(PriorityGroup, MemberDomain.group_id == PriorityGroup.id)
        .where(PriorityGroup.event_id == event.id)
        .order_by(MemberDomain.domain)
    )
    found: dict[int, list[str]] = {group.id: [] for group in event.groups}
    for group_id, domain in rows:
        found[group_id].append(domain)
    return found


def recheck_event(event: Event) -> int:
    """Re-compute every not-accepted check after the lists changed; returns how many changed."""
    domains = domains_by_group(event)
    groups = {group.id: group for group in event.groups}
    changed = 0
    for registration in db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.group_check != GroupCheck.ACCEPTED,
            Registration.email_normalised.is_not(None),
        )
    ):
        group = groups[registration.group_id]
        check = check_for(event, group, registration.email, domains[group.id])
        if registration.group_check != check:
            registration.group_check = check
            changed += 1
    return changed


def replace_domains(event: Event, group: PriorityGroup, domains: list[str]) -> None:
    """Make `domains` the group's member list, in the caller's transaction (then recheck_event)."""
    db.session.execute(delete(MemberDomain).where(MemberDomain.group_id == group.id))
    db.session.add_all(MemberDomain(group_id=group.id, domain=domain) for domain in domains)
    db.session.flush()


def groups_with_domains(event: Event) -> set[int]:
    """Ids of the event's groups that have a member list."""
    return set(
        db.session.scalars(
            select(MemberDomain.group_id)
            .join(PriorityGroup, MemberDomain.group_id == PriorityGroup.id)
            .where(PriorityGroup.event_id == event.id)
        )
    )


def shown_check(registration: Registration, listed_groups: set[int]) -> GroupCheck:
    """The check an organiser sees: "not checked" only where a member list could check it."""
    if (
        registration.group_check == GroupCheck.UNVERIFIED
        and registration.group_id not in listed_groups
    ):
        return GroupCheck.NOT_NEEDED
    return registration.group_check


def after_move(event: Event, group: PriorityGroup) -> GroupCheck:
    """An organiser who moves someone into a priority group has accepted the claim."""
    return GroupCheck.ACCEPTED if is_priority_claim(event, group) else GroupCheck.NOT_NEEDED


def accept_claim(registration: Registration) -> bool:
    """The organiser accepts an unverified claim; returns whether anything changed."""
    if registration.group_check != GroupCheck.UNVERIFIED:
        return False
    registration.group_check = GroupCheck.ACCEPTED
    return True
