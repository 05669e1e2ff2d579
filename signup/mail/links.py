"""Absolute links for emails, built from BASE_URL without a request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from .. import tokens
from ..models import Registration


def external_url(endpoint: str, **values) -> str:
    """url_for() outside a request: the app's URL map bound to BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def confirm_url(registration: Registration, version: int = 0) -> str:
    """The confirm link for the details of `version` (0: the registration's own)."""
    token = tokens.sign(tokens.CONFIRM, registration.public_id, version)
    return external_url("public.confirm", token=token)


def manage_url(registration: Registration) -> str:
    return external_url("public.manage", token=tokens.sign(tokens.MANAGE, registration.public_id))


def offer_url(registration: Registration) -> str:
    token = tokens.sign(tokens.OFFER, registration.public_id, registration.offer_number)
    return external_url("public.offer", token=token)


def change_email_url(registration: Registration, version: int) -> str:
    """The link that makes a person's pending new address their own (`version`: the change)."""
    token = tokens.sign(tokens.CHANGE_EMAIL, registration.public_id, version)
    return external_url("public.change_email", token=token)


def event_url(slug: str) -> str:
    return external_url("public.event", slug=slug)


def privacy_url(slug: str) -> str:
    """The event's privacy page: who is responsible, what for, how long, and your rights."""
    return external_url("public.privacy", slug=slug)


def handover_url(handover) -> str:
    """The colleague's link to the page where they take the seat handed to them."""
    token = tokens.sign(tokens.HANDOVER, handover.public_id)
    return external_url("public.handover", token=token)
