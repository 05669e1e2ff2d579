"""Issue 13, items 6 and 10: the HTML part of every email has its subject as <title> and a
viewport, so a phone shows it at its own width (tests/e2e runs the Nu Html Checker on them)."""

import html
import re

import pytest

from conftest import html_of
from signup.core import handover
from signup.mail import kinds, render

#: First pass only: the HTML of each email kind does not depend on the database.
pytestmark = pytest.mark.once


@pytest.mark.parametrize("kind", render.KINDS)
def test_every_email_has_its_subject_as_title_and_a_viewport(app, make_event, confirmed, kind):
    event = make_event(title="Temamøte på Ørland: blåskjell og ærlig industri")
    registration = confirmed(event, "kari@example.no", name="Kåre Ødegård")
    context = {"position": 1, "message_subject": "Nytt rom på Ås"}
    context["message_body"] = "Ta med *legitimasjon*."
    if kind in kinds.ABOUT_HANDOVER:
        context["handover"] = handover.start(registration, "Åsmund Bjørnå", "asmund@example.no")
    rendered = render.render(kind, registration, **context)
    head = rendered.html.split("</head>", 1)[0]
    title = re.search(r"<title>(.*?)</title>", head, re.DOTALL)
    assert title and html.unescape(title.group(1)) == rendered.subject != ""
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in head


def test_a_received_email_carries_the_title(client, make_event, confirmed, smtp):
    event = make_event(title="Temamøte på Ørland")
    confirmed(event, "kari@example.no", name="Kåre Ødegård")
    admitted = smtp.wait_for("kari@example.no", 2)[1]
    assert f"<title>{admitted['Subject']}</title>" in html_of(admitted)
