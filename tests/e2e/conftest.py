"""End-to-end fixtures: a real server in a thread, headless Debian Chromium, axe-core, vnu.

Every page a test visits through `visit()` or `check()` is checked with axe-core (no serious
or critical violations) and photographed: into a temporary folder, or into docs/screenshots/
when REFRESH_SCREENSHOTS=1 asks to refresh the pictures there (tracked files change only
then). Every request a page makes is recorded; anything sent to another host fails the test.
Every HTML page the server sent and the HTML part of every email received during a test is
checked with the Nu Html Checker (vnu) after the test, by one vnu service that serves the whole
session; any error fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from conftest import free_port, html_of
from e2e import htmlcheck

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: name -> (viewport, JavaScript on). Phones also run without JavaScript: it must not matter.
VIEWPORTS = {
    "desktop": ({"width": 1280, "height": 800}, True),
    "phone": ({"width": 390, "height": 844}, True),
    "phone-nojs": ({"width": 390, "height": 844}, False),
}
#: What axe checks: WCAG 2.x A and AA, plus its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def screenshot_folder(scratch: Path) -> Path:
    """docs/screenshots/ when REFRESH_SCREENSHOTS=1 asks for new pictures there, else `scratch`."""
    return DOC_SCREENSHOTS if os.environ.get("REFRESH_SCREENSHOTS") == "1" else scratch


@pytest.fixture(scope="session")
def scratch_screenshots(tmp_path_factory) -> Path:
    """Where screenshots go on an ordinary run: a temporary folder, never a tracked file."""
    return tmp_path_factory.mktemp("screenshots")


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "Debian's chromium is not installed (make setup installs it with apt-get)"
    if not AXE.exists():
        return "axe-core is not installed (make setup runs npm ci in tests/e2e)"
    return htmlcheck.missing()


def pytest_collection_modifyitems(config, items):
    """Every browser test is slow (a real browser); skipped, saying why, when a tool is missing."""
    reason = _missing()
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def html_checker():
    """vnu's service for the session: started before the first browser test, so the JVM reads
    its schemas while that test runs; stopped at the end."""
    yield htmlcheck.start()
    htmlcheck.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium"))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def served_pages(app) -> htmlcheck.PageRecorder:
    """The test app, keeping every HTML page it sends for the Nu Html Checker."""
    return htmlcheck.PageRecorder(app)


@pytest.fixture
def server(served_pages):
    """The test app served over HTTP on a free loopback port, in a thread."""
    port = free_port()
    http = make_server("127.0.0.1", port, served_pages, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    http.shutdown()
    thread.join(timeout=5)


class Browsing:
    """One person's browser: a page, where it may go, and the checks made on each page."""

    def __init__(self, context, base: str, viewport: str, javascript: bool, screenshots: Path):
        self.context = context
        self.screenshots = screenshots
        self.page = context.new_page()
        self.page.set_default_timeout(10_000)
        self.base = base
        self.viewport = viewport
        self.javascript = javascript
        self.requests: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))

    def url(self, path: str) -> str:
        return self.base + path

    def visit(self, path: str, name: str | None = None):
        """Open a page on the app and check it."""
        self.page.goto(self.url(path))
        if name:
            self.check(name)
        return self.page

    def check(self, name: str) -> None:
        """axe-core on the page as it is now, and a screenshot named after it."""
        if not self.javascript:
            return  # axe needs JavaScript; the same pages are checked in the other runs
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}-{self.viewport}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
        violations = self.page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))",
            AXE_TAGS,
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"axe on {name} ({self.viewport}):\n" + json.dumps(
            blocking, indent=1, ensure_ascii=False
        )

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.base).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).netloc != own
        ]


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """Every viewport; a test that parametrizes `viewport` itself (e.g. SCREENS) overrides it."""
    return request.param


#: Desktop and phone with JavaScript: for page tours, once the flows have run without it.
SCREENS = pytest.mark.parametrize("viewport", ["desktop", "phone"])


@pytest.fixture
def person(browser, server, viewport, scratch_screenshots, served_pages, smtp):
    """A fresh browser context on `viewport`; fails the test if a page reached another host."""
    size, javascript = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport=size,
        java_script_enabled=javascript,
        bypass_csp=True,  # lets axe be injected; the app's own CSP is tested elsewhere
        locale="nb-NO",
        accept_downloads=True,
    )
    photos = screenshot_folder(scratch_screenshots)
    browsing = Browsing(context, server, viewport, javascript, photos)
    yield browsing
    context.close()
    assert browsing.foreign_requests() == [], "a page loaded something from another host"
    emails = [(f"email {m['Subject']}", html_of(m).encode()) for m in list(smtp.messages)]
    errors = htmlcheck.errors_in(served_pages.pages + emails)
    assert errors == [], "the Nu Html Checker found errors:\n" + "\n".join(errors)
