"""Details typed in a later sign-up under a pending registration's address.

Nobody but the address's owner may change a registration, so a later sign-up never
overwrites the details of an unconfirmed one. Its details wait here under the next link
version; the confirm link sent for them carries that version, and only that link makes
them the registration's own. An older link confirms only what it was sent for.
"""

from __future__ import annotations

from . import members
from .models import PriorityGroup, Registration

#: The fields a sign-up form sets on a registration (besides the address and the group).
DETAIL_FIELDS = ("name", "organisation", "phone", "dietary")
#: Later sign-ups kept per registration; a link to an older one says it was replaced.
KEPT_VERSIONS = 3


class Superseded(LookupError):
    """The details a link was sent for were replaced by newer ones, or are gone."""


def typed_details(details: dict, group: PriorityGroup, language: str) -> dict:
    """The details of one sign-up as they are kept while pending."""
    return {
        **{field: details.get(field) or "" for field in DETAIL_FIELDS},
        "group": group.key,
        "language": language,
    }


def current_details(registration: Registration) -> dict:
    """The registration's own details, in the form pending ones are kept in."""
    return {
        **{field: getattr(registration, field) for field in DETAIL_FIELDS},
        "group": registration.group.key,
        "language": registration.language,
    }


def hold(registration: Registration, typed: dict) -> int:
    """Keep `typed` under a new version and return it; 0 when it changes nothing."""
    if typed == current_details(registration):
        return 0
    registration.link_version += 1
    kept = {**(registration.pending_details or {}), str(registration.link_version): typed}
    newest = sorted(kept, key=int)[-KEPT_VERSIONS:]
    registration.pending_details = {version: kept[version] for version in newest}
    return registration.link_version


def details_for(registration: Registration, version: int) -> dict:
    """The details a confirm link of `version` confirms; raises Superseded when gone."""
    if version == 0:
        return current_details(registration)
    typed = (registration.pending_details or {}).get(str(version))
    if typed is None or group_for(registration, typed["group"]) is None:
        raise Superseded(version)
    return typed


def take(registration: Registration, version: int) -> None:
    """Make the details of `version` the registration's own and drop the pending ones."""
    if version:
        typed = details_for(registration, version)
        for field in DETAIL_FIELDS:
            setattr(registration, field, typed[field])
        registration.group = group_for(registration, typed["group"])
        registration.language = typed["language"]
        members.check_registration(registration)
    registration.pending_details = None


def group_for(registration: Registration, key: str) -> PriorityGroup | None:
    """The event's group with `key`, or None when the organiser has removed it."""
    return next((group for group in registration.event.groups if group.key == key), None)
