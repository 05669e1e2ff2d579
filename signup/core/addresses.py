"""Email addresses as keys: one rule for registrations and organiser accounts alike."""

from __future__ import annotations


def normalise_email(address: str) -> str:
    """The key an address is kept and found under: trimmed and lower-cased."""
    return address.strip().lower()
