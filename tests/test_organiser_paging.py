"""The organiser's tables come in pages: the right rows, the totals, filters kept, bad pages."""

import pytest

from signup.organiser import paging

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
    assert (page.number, page.first, page.last) == (number, first, last)
    assert (page.has_prev, page.has_next) == (has_prev, has_next)
    assert page.items == (list(range(first, last + 1)) if total else [])
    assert page.total == total


@pytest.mark.parametrize(
    ("raw", "number"),
    [(None, 1), ("", 1), ("2", 2), (" 3 ", 3), ("0", 1), ("-4", 1), ("2.5", 1), ("abc", 1)]
    + [("1e3", 1), ("9" * 5000, 1)],
)
def test_a_page_number_that_is_not_one_means_page_one(raw, number):
    assert paging.requested(raw) == number
