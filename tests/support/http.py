"""Filling and posting the public forms as a browser would."""

from __future__ import annotations

import re
from email.message import EmailMessage

from signup.models import Event

from .mailbox import link_path


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit_signup(client, event: Event, email: str, group: str = "medlem", **fields):
    """Fill and post the sign-up form as a browser would; returns the response."""
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "name": "Kari Nordmann",
        "email": email,
        "organisation": "Finnfjord AS",
        "group": group,
        "phone": "",
        "dietary": "",
        "consent": "y",
        "reference_code": "",
    }
    data.update(fields)
    return client.post(f"/events/{event.slug}/", data=data)


def press(client, html: str, button: str, **fields):
    """Post the form on `html` whose submit button reads `button`, as a browser would."""
    for form in re.findall(r"<form\b.*?</form>", html, re.DOTALL):
        if re.search(rf">\s*{re.escape(button)}\s*</button>", form):
            action = re.search(r'action="([^"]+)"', form).group(1)
            hidden = {}
            for tag in re.findall(r"<input\b[^>]*>", form):
                attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
                if attrs.get("type") == "hidden":
                    hidden[attrs["name"]] = attrs.get("value", "")
            return client.post(action, data={**hidden, **fields})
    raise AssertionError(f"no form with a {button!r} button on the page")


def confirm_by_link(client, mail: EmailMessage):
    """Open the confirm link of `mail` and press its one button, as a person would."""
    page = client.get(link_path(mail, "c"))
    assert page.status_code == 200, page.status_code
    return press(client, page.get_data(as_text=True), "Bekreft påmeldingen")
