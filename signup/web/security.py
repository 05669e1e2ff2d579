"""Response headers that keep the pages to themselves: no inline script, no framing."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

#: Everything from this host only; no inline script anywhere. 'wasm-unsafe-eval' lets the
#: check-in page compile its QR decoder (static/vendor, WebAssembly); it allows no eval().
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
#: The development mailbox shows emails as sent, and email HTML carries inline styles.
DEV_MAILBOX_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
#: Browsers that once saw the https site never try plain http for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def personal(view: Callable) -> Callable:
    """Mark a view whose pages are one person's (opened from a signed link): never cached."""
    view.personal_page = True
    return view


def _is_personal() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "personal_page", False)


def safe_next(target: str | None, within: str, fallback: str) -> str:
    """`target` when it is a path on this site under `within`, else `fallback`.

    Another host (`https://x`, `//x`) and a backslash after the first slash (`/\\x`, which
    browsers read as `//x`) are refused: a `next` parameter never leads off the site.
    """
    parts = urlsplit(target or "")
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith(within) or path[1:2] in ("/", "\\"):
        return fallback
    return path + (f"?{parts.query}" if parts.query else "")


def _set_headers(response: Response) -> Response:
    dev_mailbox = request.blueprint == "devmail"
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", DEV_MAILBOX_POLICY if dev_mailbox else CONTENT_SECURITY_POLICY
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # same-origin still sends Referer to ourselves, which Flask-WTF's HTTPS CSRF check needs,
    # and never leaks a signed link's path to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["BASE_URL"].startswith("https://"):
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if _is_personal():
        # Pages opened from signed links are personal: never cache them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(_set_headers)
