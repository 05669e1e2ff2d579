"""Limits on the public ways to make us send email: per address, per client, per event.

Every sign-up and new-link request that passes the form sends one email, so these limits
are what stands between a stranger and someone else's mailbox (or our relay's name).
- Per address: 5 links an hour, counted before anything is sent, under the address as
  the mailbox sees it (`kari+1@` and `kari@` are one mailbox; so are Gmail's dotted forms).
- Per client address: generous, since a company's people share one public address behind
  a NAT: a rush of 60 colleagues in a minute passes.
- Per event: a ceiling on sign-ups for one meeting from everywhere at once.
- The client and event limits count each address a request would mail: a sign-up
  bringing three colleagues costs four.
- Per registration: a few address changes an hour (each mails two addresses), the new
  address counted as a link to it.
The client and event limits can be raised in the configuration (e.g. for benchmarks).
"""

from __future__ import annotations

import logging

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse, parse_many

from ...extensions import limiter
from . import colleagues

log = logging.getLogger(__name__)

#: Links emailed per mailbox, counted over sign-ups and new-link requests together.
LINKS_PER_ADDRESS = "5/hour"
#: Sign-up and new-link requests per client address (a whole company behind one NAT).
PER_CLIENT = "60/minute;300/hour"
#: Sign-ups per event from all clients together.
PER_EVENT = "300/minute;3000/hour"
#: Providers that deliver `first.last@` and `firstlast@` to one mailbox.
DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
#: The refusal's reason for the error page: the whole client or event, not one address.
BUSY = "busy"


def mailbox_key(address: str) -> str:
    """The mailbox an address reaches: lower-cased, without a +tag, Gmail without dots."""
    local, _at, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        domain = DOTS_IGNORED[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"[:254]


def spend_link(address: str) -> None:
    """Count one link to `address` now, before it is sent; a 429 page when none are left.

    Counting first (one atomic increment in the limiter's storage) holds the limit under
    a burst of simultaneous requests, which a test-then-count would not.
    """
    try:
        allowed = limiter.limiter.hit(parse(LINKS_PER_ADDRESS), "email-links", mailbox_key(address))
    except Exception:  # a storage outage must not stop sign-ups: the limit degrades
        log.warning("rate-limit storage unreachable; the per-address link limit is not counted")
        return
    if not allowed:
        abort(429, description="address")


def _per_client() -> str:
    return current_app.config.get("SIGNUPS_PER_CLIENT") or PER_CLIENT


def _per_event() -> str:
    return current_app.config.get("SIGNUPS_PER_EVENT") or PER_EVENT


def _addresses() -> int:
    """A request's cost: each address it would mail (a group sign-up mails up to four)."""
    return colleagues.addresses_posted(request.form)


def _event_key() -> str:
    return "event:" + (request.view_args or {}).get("slug", "")[:80]


client_limit = limiter.shared_limit(
    _per_client,
    scope="public-client",
    key_func=get_remote_address,
    methods=["POST"],
    error_message=BUSY,
    cost=_addresses,
)

event_limit = limiter.limit(
    _per_event, key_func=_event_key, methods=["POST"], error_message=BUSY, cost=_addresses
)

#: Address changes per registration: each mails the new address and the old one.
CHANGES_PER_REGISTRATION = "3/hour;6/day"


def spend_address_change(registration_public_id: str, new_address: str) -> None:
    """Count one address change of a registration, and one link to the new address."""
    try:
        allowed = all(
            limiter.limiter.hit(limit, "email-changes", registration_public_id)
            for limit in parse_many(CHANGES_PER_REGISTRATION)
        )
    except Exception:  # a storage outage must not stop changes: the limit degrades
        log.warning("rate-limit storage unreachable; the address-change limit is not counted")
        allowed = True
    if not allowed:
        abort(429, description="address")
    spend_link(new_address)
