"""Paging for the organiser's tables: one rule for page numbers, counts and slices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from ...extensions import db

T = TypeVar("T")

#: Rows on one page of an organiser table.
PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a table: its rows, which page it is, and how many rows there are in all."""

    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        """The 1-based number of the first row shown; 0 when none is."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The 1-based number of the last row shown; 0 when none is."""
        return self.first + len(self.items) - 1 if self.items else 0


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` rows; an empty table still has its one (empty) page."""
    return max(-(-total // per_page), 1)


def requested(raw: str | None) -> int:
    """The page number a link asks for; anything but a whole number above 0 means page 1."""
    try:
        return max(int(raw or 1), 1)
    except ValueError:  # also a number too long to read
        return 1


def _clamped(number: int, total: int, per_page: int) -> int:
    # A page beyond the end (an old link, rows gone since) shows the last page instead.
    return min(max(number, 1), page_count(total, per_page))


def of_query(query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    """Page `number` of an ordered query: one COUNT query and one LIMIT/OFFSET query."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = _clamped(number, total, per_page)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, per_page, total)


def of_list(rows: list[T], number: int, per_page: int = PER_PAGE) -> Page[T]:
    """Page `number` of rows already read (and filtered) in order."""
    number = _clamped(number, len(rows), per_page)
    start = (number - 1) * per_page
    return Page(rows[start : start + per_page], number, per_page, len(rows))
