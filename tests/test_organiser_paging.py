"""The organiser's tables come in pages: the right rows, the totals, filters kept, bad pages."""

import html
import re
from datetime import timedelta

import pytest
from flask_sqlalchemy.pagination import Pagination

from conftest import fill, press
from signup import clock
from signup.core import waitlist as queue
from signup.extensions import db
from signup.models import AuditEntry, MessageState, OutboxMessage, Registration
from signup.web.organiser import paging

NBSP = "\xa0"  # Norwegian groups thousands with a no-break space: "2 000"


def section(page: str, heading_id: str) -> str:
    """The part of a page from the heading with `heading_id` to the end of its section."""
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def people_names(page: str) -> list[str]:
    """Names linked in the registration table, top to bottom."""
    return re.findall(r'/people/\d+">([^<]+)</a>', section(page, "people-heading"))


def link(page: str, rel: str) -> str | None:
    """The pager's 'Forrige' (prev) or 'Neste' (next) link, as a browser would follow it."""
    match = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def get(client, path: str, **query) -> str:
    response = client.get(path, query_string=query or None)
    assert response.status_code == 200, (path, query)
    return response.get_data(as_text=True)


def every_page(client, path: str, **query) -> list[str]:
    """Every page of a table, following the 'Neste' links from the first."""
    pages = [get(client, path, **query)]
    while (following := link(pages[-1], "next")) is not None:
        pages.append(get(client, following))
        assert len(pages) < 100, "the pager never ends"
    return pages


# -- the paging rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "asked", "number", "first", "last", "has_prev", "has_next"),
    [
        (0, 1, 1, 0, 0, False, False),
        (0, 7, 1, 0, 0, False, False),
        (1, 1, 1, 1, 1, False, False),
        (50, 1, 1, 1, 50, False, False),
        (51, 1, 1, 1, 50, False, True),
        (51, 2, 2, 51, 51, True, False),
        (120, 2, 2, 51, 100, True, True),
        (120, 3, 3, 101, 120, True, False),
        (120, 4, 3, 101, 120, True, False),  # beyond the end: the last page
        (120, 10**30, 3, 101, 120, True, False),
    ],
)
def test_a_page_knows_its_rows_and_neighbours(
    total, asked, number, first, last, has_prev, has_next
):
    page = paging.of_list(list(range(1, total + 1)), asked, per_page=50)
    assert (page.page, page.first, page.last) == (number, first, last)
    assert (page.has_prev, page.has_next) == (has_prev, has_next)
    assert page.items == (list(range(first, last + 1)) if total else [])
    assert page.total == total


def test_tables_page_with_flask_sqlalchemy(make_event):
    """Queries page through db.paginate(); its Pagination brings pages and iter_pages too."""
    event = make_event(capacity=100)
    fill(event, 120)
    query = db.select(Registration).where(Registration.event_id == event.id)
    page = paging.of_query(query.order_by(Registration.id), 2)
    assert isinstance(page, Pagination) and isinstance(paging.of_list([1], 1), Pagination)
    assert (page.page, page.pages, page.total, page.first, page.last) == (2, 3, 120, 51, 100)
    assert list(page.iter_pages()) == [1, 2, 3] and len(page.items) == 50


@pytest.mark.parametrize(
    ("raw", "number"),
    [(None, 1), ("", 1), ("2", 2), (" 3 ", 3), ("0", 1), ("-4", 1), ("2.5", 1), ("abc", 1)]
    + [("1e3", 1), ("9" * 5000, 1)],
)
def test_a_page_number_that_is_not_one_means_page_one(raw, number):
    assert paging.requested(raw) == number


# -- the registration table ----------------------------------------------------------------


@pytest.fixture
def crowded(make_event):
    """An event with 120 registrations, Deltaker 00000 to 00119 (see conftest.fill)."""
    event = make_event(capacity=100)
    fill(event, 120)
    return event


def test_registration_table_pages_through_everyone_once(organiser_client, crowded):
    pages = every_page(organiser_client, f"/organiser/events/{crowded.slug}/")
    assert len(pages) == 3
    shown = [people_names(page) for page in pages]
    assert [len(names) for names in shown] == [50, 50, 20]
    assert sum(shown, []) == [f"Deltaker {n:05d}" for n in range(120)]
    assert "Viser 1–50 av 120" in pages[0] and "Viser 101–120 av 120" in pages[2]
    assert link(pages[0], "prev") is None and link(pages[2], "next") is None
    assert link(pages[2], "prev") == f"/organiser/events/{crowded.slug}/?page=2#people-heading"
    assert link(pages[1], "prev") == f"/organiser/events/{crowded.slug}/#people-heading"


def test_filters_are_kept_from_page_to_page(organiser_client, make_event):
    event = make_event(capacity=100)
    fill(event, 600)
    path = f"/organiser/events/{event.slug}/"
    # fill(): n is waitlisted when n % 5 == 1 and in "andre" when n is odd.
    pages = every_page(organiser_client, path, state="waitlisted", group="andre")
    expected = [f"Deltaker {n:05d}" for n in range(600) if n % 10 == 1]
    assert sum((people_names(page) for page in pages), []) == expected
    assert "Viser 51–60 av 60" in pages[-1]
    assert "state=waitlisted" in link(pages[0], "next") and "group=andre" in link(pages[0], "next")
    assert 'value="waitlisted" selected' in pages[-1]

    # A search is matched in Python (æøå), but pages the same way.
    pages = every_page(organiser_client, path, q="FIRMA3", state="admitted")
    expected = [f"Deltaker {n:05d}" for n in range(600) if n % 7 == 3 and n % 5 == 0]
    assert sum((people_names(page) for page in pages), []) == expected
    pages = every_page(organiser_client, path, q="firma3")
    expected = [f"Deltaker {n:05d}" for n in range(600) if n % 7 == 3]
    assert len(pages) == 2 and sum((people_names(page) for page in pages), []) == expected
    assert f"Viser 51–{len(expected)} av {len(expected)}" in pages[1]
    assert "q=firma3" in link(pages[0], "next")


@pytest.mark.parametrize(
    ("page", "shows"),
    [
        ("abc", "Viser 1–50 av 120"),
        ("0", "Viser 1–50 av 120"),
        ("-2", "Viser 1–50 av 120"),
        ("2.0", "Viser 1–50 av 120"),
        ("9" * 5000, "Viser 1–50 av 120"),
        ("4", "Viser 101–120 av 120"),
        ("99999999999999999999", "Viser 101–120 av 120"),
    ],
)
def test_a_bad_page_number_shows_a_page_not_an_error(organiser_client, crowded, page, shows):
    assert shows in get(organiser_client, f"/organiser/events/{crowded.slug}/", page=page)


def test_a_filter_that_finds_nobody_says_so(organiser_client, crowded):
    for query in ({"q": "ingen slik person"}, {"q": "ingen", "page": "3"}, {"state": "lapsed"}):
        page = get(organiser_client, f"/organiser/events/{crowded.slug}/", **query)
        assert "Ingen påmeldinger å vise." in page
        assert people_names(page) == [] and 'class="pager"' not in page


def test_a_large_event_renders_one_page_whatever_its_size(organiser_client, make_event):
    event = make_event(capacity=1000)
    fill(event, 2000)
    page = get(organiser_client, f"/organiser/events/{event.slug}/")
    assert len(people_names(page)) == paging.PER_PAGE
    assert f"Viser 1–50 av 2{NBSP}000" in page
    assert page.count('<tr><td class="num">') == 20  # the waitlist's head only
    assert "Venteliste (400)" in page


def test_pager_speaks_english_too(organiser_client, crowded):
    organiser_client.get("/language/en")
    page = get(organiser_client, f"/organiser/events/{crowded.slug}/", page="2")
    assert "Showing 51–100 of 120" in page
    assert ">Previous</a>" in page and ">Next</a>" in page


# -- the waitlist ----------------------------------------------------------------------------


def waitlist_rows(page: str) -> list[tuple[int, str]]:
    """(place, name) for each row of a waitlist table on the page."""
    return [
        (int(place), name)
        for place, name in re.findall(
            r'<tr><td class="num">(\d+)</td>\s*<td><a href="[^"]+">([^<]+)</a>', page
        )
    ]


def test_waitlist_head_shows_places_in_the_order_seats_are_offered(
    organiser_client, make_event, confirmed
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no", name="Kari Nordmann")
    clock.advance(timedelta(minutes=1))
    confirmed(event, "per@example.no", group="andre", name="Per Hansen")
    clock.advance(timedelta(minutes=1))
    confirmed(event, "ola@finnfjord.no", name="Ola Nordmann")
    clock.advance(timedelta(minutes=1))
    confirmed(event, "siri@example.no", group="andre", name="Siri Dahl")
    page = get(organiser_client, f"/organiser/events/{event.slug}/")
    waitlist = section(page, "waitlist-heading")
    # Ola queued after Per, but his group has the better rank.
    assert waitlist_rows(waitlist) == [(1, "Ola Nordmann"), (2, "Per Hansen"), (3, "Siri Dahl")]
    assert "Venteliste (3)" in page
    assert "Se hele ventelisten" not in waitlist  # all three are shown


def test_waitlist_head_links_to_the_whole_waitlist_in_pages(organiser_client, make_event):
    event = make_event(capacity=1000)
    fill(event, 600)  # 120 waiting: n % 5 == 1, the even n in the better-ranked group
    page = get(organiser_client, f"/organiser/events/{event.slug}/")
    waitlist = section(page, "waitlist-heading")
    assert "Venteliste (120)" in page and "Viser de første 20 av 120." in waitlist
    head = waitlist_rows(waitlist)
    assert [place for place, _ in head] == list(range(1, 21))

    whole = link_to_whole(waitlist)
    pages = every_page(organiser_client, whole)
    rows = sum((waitlist_rows(page) for page in pages), [])
    assert [place for place, _ in rows] == list(range(1, 121))
    assert rows[:20] == head
    assert "Viser 101–120 av 120" in pages[-1]
    # Each place is the one the admission rule itself gives that person.
    people = {r.name: r for r in db.session.scalars(db.select(Registration))}
    for place, name in rows[::7] + rows[-1:]:
        assert queue.position(people[name]) == place, name


def link_to_whole(waitlist: str) -> str:
    match = re.search(r'<a href="([^"]+)">Se hele ventelisten</a>', waitlist)
    assert match, "no link to the whole waitlist"
    return match.group(1)


def test_waitlist_page_takes_bad_page_numbers(organiser_client, make_event):
    event = make_event()
    for number in ("x", "-1", "7"):
        page = get(organiser_client, f"/organiser/events/{event.slug}/waitlist", page=number)
        assert "Ingen står på venteliste." in page


# -- the outbox and the audit log ------------------------------------------------------------


def test_outbox_pages_newest_first(organiser_client, crowded):
    pages = every_page(organiser_client, f"/organiser/events/{crowded.slug}/outbox")
    recipients = [re.findall(r"<td>(d\d+@firma\d\.no)</td>", page) for page in pages]
    assert [len(page) for page in recipients] == [50, 50, 20]
    assert sum(recipients, []) == [f"d{n}@firma{n % 7}.no" for n in reversed(range(120))]
    assert "Viser 1–50 av 120" in pages[0]
    assert "Viser 1–50 av 120" in get(
        organiser_client, f"/organiser/events/{crowded.slug}/outbox", page="nei"
    )


def test_sending_a_failed_email_again_returns_to_its_page(organiser_client, crowded, smtp):
    oldest = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    oldest.state = MessageState.FAILED
    db.session.commit()
    path = f"/organiser/events/{crowded.slug}/outbox"
    page = get(organiser_client, path, page="3")
    response = press(organiser_client, page, "Send igjen")
    assert response.status_code == 303 and response.location == f"{path}?page=3"
    assert "E-posten er lagt i kø" in get(organiser_client, response.location)


def test_audit_log_pages_newest_first(organiser_client, make_event, organiser):
    event = make_event()
    entries = [
        {
            "organiser_id": organiser.id,
            "event_id": event.id,
            "action": "export",
            "detail": f"oppføring {n}",
            "created_at": clock.now(),
        }
        for n in range(70)
    ]
    db.session.execute(db.insert(AuditEntry), entries)
    db.session.commit()
    pages = every_page(organiser_client, "/organiser/audit")
    details = sum((re.findall(r"<td>(oppføring \d+)</td>", page) for page in pages), [])
    assert details == [f"oppføring {n}" for n in reversed(range(70))]
    assert "Viser 51–71 av 71" in pages[-1]  # the 70 and the login
    assert "Viser 51–71 av 71" in get(organiser_client, "/organiser/audit", page="1000")
