"""Issue 13, item 4: after a failed submit the person sees why at once (the server's part;
tests/e2e/test_people.py checks focus and position in a real browser)."""

import re

import pytest

from conftest import csrf_from, submit_signup

#: First pass only: the form's error messages do not depend on the database.
pytestmark = pytest.mark.once


def main_of(page: str) -> str:
    return page.split('<main id="main">', 1)[1]


def test_a_failed_sign_up_puts_a_focused_summary_first_and_says_so_in_the_title(client, make_event):
    event = make_event(title="Temamøte på Førde: ærlig mat og åpne dører")
    response = submit_signup(client, event, "kari@example.no", name="", consent="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)

    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
    assert title.startswith("Feil: Temamøte på Førde")
    first = main_of(page).lstrip()
    assert first.startswith('<div class="error-summary" id="feil"')
    summary = first.split("</div>", 1)[0]
    assert 'tabindex="-1"' in summary and "autofocus" in summary
    # One link per field in error, to that field.
    assert '<a href="#name">Fullt navn: Dette feltet må fylles ut.</a>' in summary
    assert 'href="#consent"' in summary
    assert 'href="#email"' not in summary
    assert '<script src="/static/errors.js" defer></script>' in page


def test_a_good_page_has_no_summary_and_a_plain_title(client, make_event):
    event = make_event(title="Temamøte på Førde")
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert 'id="feil"' not in page
    assert "<title>Temamøte på Førde</title>" in page


def test_the_new_link_form_shows_the_summary_too(client, make_event):
    event = make_event(title="Temamøte på Førde")
    page = client.get(f"/new-link?event={event.slug}").get_data(as_text=True)
    response = client.post(
        "/new-link", data={"csrf_token": csrf_from(page), "event": event.slug, "email": "ø@x"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r"<title>Feil: ", page)
    assert main_of(page).lstrip().startswith('<div class="error-summary" id="feil"')


def test_the_phone_field_asks_for_a_phone_number(client, make_event):
    page = client.get(f"/events/{make_event().slug}/").get_data(as_text=True)
    phone = re.search(r'<input[^>]*id="phone"[^>]*>', page).group(0)
    assert 'type="tel"' in phone and 'autocomplete="tel"' in phone
