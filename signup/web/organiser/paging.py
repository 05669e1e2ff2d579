"""Paging for the organiser's tables: Flask-SQLAlchemy's pagination, one rule for page numbers.

A query is paged by `db.paginate()` (one COUNT and one LIMIT/OFFSET query). A search matched
in Python (æøå fold there, not in SQLite) pages its list through the same `Pagination`
class, by the two methods its documentation asks a subclass to implement.
"""

from __future__ import annotations

from math import ceil

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from ...extensions import db

#: What the organiser's tables page through: items, page, total, pages, has_prev/has_next,
#: first/last and iter_pages(), as Flask-SQLAlchemy defines them.
Page = Pagination

#: Rows on one page of an organiser table.
PER_PAGE = 50


def requested(raw: str | None) -> int:
    """The page number a link asks for; anything but a whole number above 0 means page 1."""
    try:
        return max(int(raw or 1), 1)
    except ValueError:  # also a number too long to read
        return 1


def of_query(query: Select, number: int, per_page: int = PER_PAGE) -> Pagination:
    """Page `number` of an ordered query; a page beyond the end shows the last page instead.

    `db.paginate()` would show an empty page there, so the rows are counted first (the
    count it would make) and it pages to the last page, in two queries as always.
    """
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = _within(number, total, per_page)
    page = db.paginate(query, page=number, per_page=per_page, error_out=False, count=False)
    page.total = total
    return page


def _within(number: int, total: int, per_page: int) -> int:
    # An old link or rows gone since: a page beyond the end is the last page.
    return min(max(number, 1), max(ceil(total / per_page), 1))


class _ListPagination(Pagination):
    """Flask-SQLAlchemy's Pagination over rows already read (and filtered) in order."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return rows[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def of_list(rows: list, number: int, per_page: int = PER_PAGE) -> Pagination:
    """Page `number` of rows already read (and filtered) in order; beyond the end, the last."""
    number = _within(number, len(rows), per_page)
    return _ListPagination(page=number, per_page=per_page, error_out=False, rows=rows)
