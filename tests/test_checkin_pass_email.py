"""The check-in pass in the admission and briefing emails: an inline PNG QR code, a short code."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from conftest import html_of, words_of
from signup import checkin_pass, clock, scheduler

ÅSE = "ase.odegard@sjomat-ost.no"


def _image_part(mail):
    [related] = [part for part in mail.walk() if part.get_content_type() == "multipart/related"]
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    return html, image


def decoded(image_part) -> str:
    """The text of the QR code in a PNG part, read back by zxing-cpp."""
    picture = Image.open(io.BytesIO(image_part.get_content())).convert("L")
    [found] = zxingcpp.read_barcodes(picture)
    return found.text


def test_the_admission_email_shows_the_pass_inline_and_names_the_short_code(
    make_event, confirmed, smtp
):
    event = make_event(title="Temamøte på Ærøy")
    åse = confirmed(event, ÅSE, name="Åse Ødegård", organisation="Sjømat Øst AS")
    admitted = next(m for m in smtp.wait_for(ÅSE, 2) if m["Subject"].startswith("Du har plass"))
    html, image = _image_part(admitted)
    content_id = image["Content-ID"].strip("<>")
    assert image.get_content_disposition() == "inline"
    assert f'src="cid:{content_id}"' in html_of(admitted)
    token = decoded(image)
    assert token == checkin_pass.token_for(åse.public_id, event.id)
    assert "Åse" not in token and "sjomat" not in token.lower()
    assert checkin_pass.spaced(åse.checkin_code) in words_of(admitted)
    # The calendar file still travels as an attachment beside it.
    assert any(p.get_content_type() == "text/calendar" for p in admitted.walk())


def test_the_briefing_carries_the_pass_too(app, make_event, confirmed, smtp):
    event = make_event()
    åse = confirmed(event, ÅSE, name="Åse Ødegård")
    clock.set_now(event.briefing_at)
    scheduler.run_sweeps(app)
    [briefing] = [m for m in smtp.wait_for(ÅSE, 3) if m["Subject"].startswith("Smittevern")]
    _html, image = _image_part(briefing)
    assert decoded(image) == checkin_pass.token_for(åse.public_id, event.id)
    assert checkin_pass.spaced(åse.checkin_code) in words_of(briefing)


def test_the_waitlist_email_has_no_pass(make_event, confirmed, smtp):
    event = make_event(capacity=0)
    confirmed(event, ÅSE, name="Åse Ødegård")
    for mail in smtp.wait_for(ÅSE, 2):
        assert not any(p.get_content_type() == "image/png" for p in mail.walk())
        assert "Innsjekking" not in words_of(mail)
