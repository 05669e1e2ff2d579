"""Issue 13, item 9: an error page's title says what happened, as its heading does."""

import re

import pytest

from conftest import submit_signup

#: First pass only: error pages do not depend on the database.
pytestmark = pytest.mark.once


def title_and_heading(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1).strip()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.DOTALL).group(1).strip()
    return title, heading


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/m/not-a-real-token", 400, "Lenken virker ikke"),
        ("/no-such-page", 404, "Fant ikke siden"),
        ("/o/not-a-real-token/accept", 405, "Forespørselen kunne ikke behandles"),
    ],
)
def test_error_titles_say_what_happened(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    assert title_and_heading(response.get_data(as_text=True)) == (words, words)


def test_an_expired_form_says_so_in_the_title(client, make_event):
    event = make_event(title="Temamøte på Ørland")
    response = submit_signup(client, event, "kari@example.no", csrf_token="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert title_and_heading(page) == ("Skjemaet er utløpt", "Skjemaet er utløpt")
