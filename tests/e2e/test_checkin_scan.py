"""Scanning a QR code at the door, in a real Chromium with a fake camera that films the code.

Chromium plays a Y4M video as its camera (--use-file-for-fake-video-capture); the video shows
the QR code of the admission email, so the page's own decoder (the native BarcodeDetector, or
the vendored zxing-wasm one; Chromium on Linux has no native one) reads it end to end, under
the app's real Content-Security-Policy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import segno
from playwright.sync_api import expect

from conftest import html_of, link_path
from e2e import htmlcheck
from e2e.conftest import CHROMIUM_ARGS, VIEWPORTS, Browsing, screenshot_folder
from e2e.test_organiser import log_in
from signup import checkin_pass
from signup.extensions import db
from signup.models import Registration

ÅSE = "ase.odegard@sjomat-ost.no"
WIDTH, HEIGHT = 640, 480


def qr_video(text: str, path: Path, frames: int = 10) -> Path:
    """A Y4M video (4:2:0) of `text` as a black-on-white QR code in the middle of the frame."""
    matrix = segno.make_qr(text, error="m").matrix
    size = len(matrix) + 8
    scale = min(WIDTH, HEIGHT) * 3 // 4 // size
    left, top = (WIDTH - size * scale) // 2, (HEIGHT - size * scale) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if not dark:
                continue
            for y in range(top + (row + 4) * scale, top + (row + 5) * scale):
                start = y * WIDTH + left + (column + 4) * scale
                luma[start : start + scale] = bytes(scale)
    chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + bytes(luma) + chroma) * frames)
    return path


@pytest.fixture
def camera_for(browser, server, served_pages, smtp, scratch_screenshots, tmp_path):
    """Factory: a phone browser whose camera films `text` as a QR code; checks as `person` does."""
    opened = []

    def factory(text: str) -> Browsing:
        video = qr_video(text, tmp_path / "camera.y4m")
        chromium = browser.browser_type.launch(
            executable_path=browser_path(browser),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        size, _javascript = VIEWPORTS["phone"]
        # The app's own Content-Security-Policy applies: the decoder must run under it.
        context = chromium.new_context(viewport=size, locale="nb-NO", permissions=["camera"])
        browsing = Browsing(context, server, "phone", True, screenshot_folder(scratch_screenshots))
        opened.append((chromium, browsing))
        return browsing

    yield factory
    for chromium, browsing in opened:
        chromium.close()
        assert browsing.foreign_requests() == [], "a page loaded something from another host"
    emails = [(f"email {m['Subject']}", html_of(m).encode()) for m in list(smtp.messages)]
    errors = htmlcheck.errors_in([as_document(*page) for page in served_pages.pages] + emails)
    assert errors == [], "the Nu Html Checker found errors:\n" + "\n".join(errors)


def as_document(path: str, html: bytes) -> tuple[str, bytes]:
    """A page as sent; the answer fragment the scan script inserts, inside a page to check."""
    if not path.endswith("/checkin/scan"):
        return path, html
    return path, b'<!doctype html><html lang="nb"><title>Svar</title>' + html + b"</html>"


def browser_path(browser) -> str:
    from e2e.conftest import CHROMIUM

    return str(CHROMIUM) if CHROMIUM.exists() else "chromium"


def _token(email: str) -> str:
    person = db.session.scalar(db.select(Registration).where(Registration.email == email))
    return checkin_pass.token_for(person.public_id, person.event_id)


def test_scan_the_emailed_code_with_the_camera(
    camera_for, organiser, make_event, confirmed, served_pages
):
    event = make_event(title="Temamøte på Ærøy")
    other = make_event(title="Fagdag i Bodø", slug="bodo")
    confirmed(event, ÅSE, name="Åse Ødegård", organisation="Sjømat Øst AS", dietary="Glutenfri")
    confirmed(other, "kari@sjomat-ost.no", name="Kari Ødegård")
    person = camera_for(_token(ÅSE))
    page = log_in(person)
    person.visit(f"/organiser/events/{event.slug}/checkin")
    person.check("checkin-scan")
    page.get_by_role("button", name="Start kamera").click()
    answer = page.locator("#scan-answer")
    expect(answer).to_contain_text("Åse Ødegård er registrert som ankommet.", timeout=20_000)
    expect(answer).to_contain_text("Glutenfri")
    expect(answer.locator(".scan-ok")).to_be_visible()
    # The count and her row below follow the scan without a reload.
    expect(page.locator("#arrived-count")).to_have_text("1")
    row = page.locator(".person", has_text="Åse Ødegård")
    expect(row).to_have_class(re.compile(r"\barrived\b"))
    expect(row.get_by_role("button", name="Kommet")).to_have_count(0)
    expect(row).to_contain_text("Ankommet")
    person.check("checkin-scanned")
    # The camera keeps filming the same code: once the same-scan pause is over, it is
    # posted again and the answer says when she arrived.
    expect(answer).to_contain_text("Allerede registrert ankommet kl.", timeout=20_000)
    expect(answer.locator(".scan-error")).to_be_visible()
    page.get_by_role("button", name="Stopp kamera").click()

    # A code of another event, handed to the page as if the camera had read it.
    page.evaluate("token => window.checkinScan.submitToken(token)", _token("kari@sjomat-ost.no"))
    expect(answer).to_contain_text("Koden gjelder et annet møte.")
    person.check("checkin-refused")
    wasm = [url for url in person.requests if url.endswith(".wasm")]
    assert wasm and all(url.startswith(person.base) for url in wasm)


@pytest.mark.parametrize("viewport", ["phone-nojs"])
def test_type_the_short_code_without_javascript(person, organiser, make_event, confirmed, viewport):
    event = make_event(title="Temamøte på Ærøy")
    åse = confirmed(event, ÅSE, name="Åse Ødegård", dietary="Nøtteallergi")
    page = log_in(person)
    person.visit(f"/organiser/events/{event.slug}/checkin")
    expect(page.get_by_role("button", name="Start kamera")).to_be_hidden()
    page.get_by_label("Eller skriv koden fra e-posten (8 tegn)").fill(åse.checkin_code.lower())
    page.get_by_role("button", name="Sjekk inn", exact=True).click()
    expect(page.locator("#scan-answer")).to_contain_text("Åse Ødegård er registrert som ankommet.")
    expect(page.locator("#scan-answer")).to_contain_text("Nøtteallergi")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_manage_page_shows_the_pass(person, make_event, confirmed, smtp, viewport):
    event = make_event(title="Temamøte på Ærøy")
    åse = confirmed(event, ÅSE, name="Åse Ødegård")
    admitted = next(m for m in smtp.wait_for(ÅSE, 2) if m["Subject"].startswith("Du har plass"))
    page = person.visit(link_path(admitted, "m"), "manage-pass")
    expect(page.get_by_text(checkin_pass.spaced(åse.checkin_code))).to_be_visible()
    expect(page.locator(".pass-qr svg")).to_be_visible()
