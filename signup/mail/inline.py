"""The check-in pass in an email: a PNG QR code shown inline, referred to by its Content-ID.

Email clients show neither SVG nor data: images, so the code travels as a PNG part of a
multipart/related beside the HTML (RFC 2387), which refers to it as cid:. Flask-Mail puts
attachments in multipart/mixed only; the message it builds is rebuilt here with the standard
library's public API (`EmailMessage.add_related` turns the HTML part into multipart/related).
Built after the commit, like every email: never while the seat lock is held.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app

from .. import checkin_pass

#: The kinds that carry the pass, to someone with a seat: the admission email, and the
#: briefing the day before (the one people have open at the door).
PASS_KINDS = ("admitted", "briefing")
FILENAME = "innsjekking.png"
#: Shown size in the email, in CSS pixels: a phone camera reads it at arm's length.
SHOWN_SIZE = 220


@dataclass(frozen=True)
class InlineImage:
    """A PNG the HTML shows as cid:`content_id` (the id without angle brackets)."""

    content_id: str
    png: bytes
    filename: str = FILENAME


def pass_for_email(kind: str, registration) -> tuple[dict, InlineImage | None]:
    """What the templates need to show the pass, and its image; ({}, None) if none is due."""
    if kind not in PASS_KINDS:
        return {}, None
    found = checkin_pass.pass_for(registration)
    if found is None:
        return {}, None
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    content_id = make_msgid(idstring="checkin", domain=domain)[1:-1]
    image = InlineImage(content_id, checkin_pass.qr_png(found.token))
    context = {
        "checkin_pass": found,
        "checkin_pass_cid": content_id,
        "checkin_pass_size": SHOWN_SIZE,
    }
    return context, image


def with_inline_image(built: bytes, image: InlineImage) -> bytes:
    """The message `built` with `image` beside its HTML part in a multipart/related."""
    message = BytesParser(policy=policy.SMTP).parsebytes(built)
    html = message.get_body(preferencelist=("html",))
    if html is None:
        raise ValueError("the message has no HTML part to show the image in")
    html.add_related(
        image.png,
        maintype="image",
        subtype="png",
        cid=f"<{image.content_id}>",
        disposition="inline",
        filename=image.filename,
    )
    return message.as_bytes(policy=policy.SMTP)
