"""Organisers' texts as a small, safe Markdown in the page, the HTML email and the text email."""

import re

import pytest

from conftest import html_of, text_of
from signup import markdown
from signup.core import briefing

HOSTILE = """**Viktig:** ta med legitimasjon til Skaland Graphite.
Kontakt [Profilgruppa](https://www.profilgruppa.no) eller [Åse](mailto:aase@finnfjord.no).

- Hold avstand i kantina på Æsøy
- Vask hendene

<script>alert("Ærø")</script>
<img src=x onerror=alert(1)> <b>rå HTML</b>
[klikk her](javascript:alert(1)) og [data](data:text/html;base64,PHNjcmlwdD4=)
"""


def assert_neutralised(html: str) -> None:
    assert "<script" not in html.lower() and "<b>" not in html
    # The only image is the email's own: the check-in pass, shown by its Content-ID.
    assert all(img.startswith('<img src="cid:') for img in re.findall(r"<img\b[^>]*>", html))
    assert "&lt;script&gt;" in html and "&lt;b&gt;rå HTML&lt;/b&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html


def assert_formatted(html: str) -> None:
    assert "<strong>Viktig:</strong>" in html
    assert "<li>Hold avstand i kantina på Æsøy</li>" in html
    assert 'href="https://www.profilgruppa.no">Profilgruppa</a>' in html


@pytest.mark.parametrize(
    "text, html",
    [
        ("Ett avsnitt.\n\nTo avsnitt.", "<p>Ett avsnitt.</p>\n<p>To avsnitt.</p>\n"),
        ("**fet** og *kursiv*", "<p><strong>fet</strong> og <em>kursiv</em></p>\n"),
        ("<p onclick=x>hei</p>", "<p>&lt;p onclick=x&gt;hei&lt;/p&gt;</p>\n"),
        ("[a](JavaScript:alert(1))", "<p>[a](JavaScript:alert(1))</p>\n"),
        ("# Ikke overskrift", "<p># Ikke overskrift</p>\n"),
        (  # no images: the link stays a link, nothing loads
            "![bilde](https://x.no/a.png)",
            '<p>!<a rel="nofollow noopener noreferrer" href="https://x.no/a.png">bilde</a></p>\n',
        ),
    ],
)
def test_only_the_small_subset_is_read(text, html):
    assert markdown.to_html(text) == html


def test_the_plain_text_reads_well():
    assert markdown.to_text(HOSTILE).splitlines()[:5] == [
        "Viktig: ta med legitimasjon til Skaland Graphite.",
        "Kontakt Profilgruppa (https://www.profilgruppa.no) eller Åse (mailto:aase@finnfjord.no).",
        "",
        "- Hold avstand i kantina på Æsøy",
        "- Vask hendene",
    ]
    assert markdown.to_text("1. Først\n2. Så") == "1. Først\n2. Så"


def test_the_description_on_the_page_is_formatted_and_safe(client, make_event):
    event = make_event(description=HOSTILE)

    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)

    description = page.split('class="description"')[1].split("</div>")[0]
    assert_formatted(description)
    assert_neutralised(description)


def test_the_briefing_email_is_formatted_and_safe_in_both_parts(make_event, confirmed, smtp):
    event = make_event(briefing=HOSTILE)
    confirmed(event, "aase@finnfjord.no", name="Åse Bjørnå")
    assert briefing.send_briefing(event.id, early=True) == 1

    mail = next(m for m in smtp.wait_for("aase@finnfjord.no", 3) if "Smittevern" in m["Subject"])

    html = html_of(mail)
    assert_formatted(html)
    assert_neutralised(html)
    text = text_of(mail)
    assert "**" not in text and "<strong>" not in text and "<a " not in text
    assert "- Hold avstand i kantina på Æsøy" in text
    assert "Profilgruppa (https://www.profilgruppa.no)" in text
    assert "href=" not in text
