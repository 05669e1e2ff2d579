"""The attendee list as CSV (UTF-8 with BOM, so Excel shows æøå) and XLSX."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from flask import Response
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...core import audit
from ...models import Event, Registration
from . import bp, queries
from .labels import STATE_LABELS
from .lookup import event_or_404, signed_in

HEADERS = [
    _l("Navn"),
    _l("Virksomhet"),
    _l("E-post"),
    _l("Telefon"),
    _l("Matbehov"),
    _l("Gruppe"),
    _l("Status"),
    _l("Ankommet"),
]
#: "Telefon", counted from 1 as spreadsheets count.
PHONE_COLUMN = 4
#: A cell starting with one of these is read as a formula by spreadsheet programs; some read
#: the full-width forms (typed with an East Asian input method) the same way.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: "+47 900 00 000": a plus followed by digits and spaces only is a phone number, not a formula.
PHONE_NUMBER = re.compile(r"^\+[0-9 ]+$")
CSV_DELIMITER = ";"
CSV_TIME = "%Y-%m-%d %H:%M"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_TIME = "yyyy-mm-dd hh:mm"
#: Column widths in characters: wide enough for most values, never the whole dietary note.
MIN_WIDTH, MAX_WIDTH = 8, 50


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, so it stays text."""
    if value.startswith(FORMULA_STARTS) and not PHONE_NUMBER.match(value):
        return "'" + value
    return value


def row_of(event: Event, registration: Registration) -> list[str | datetime | None]:
    """One person's cells: text neutralised, the arrival as a local time (or None)."""
    texts = [
        registration.name,
        registration.organisation,
        registration.email,
        registration.phone,
        registration.dietary,
        registration.group.label,
        str(STATE_LABELS[registration.state]),
    ]
    arrived = registration.checked_in_at
    # Spreadsheets have no time zones: the wall-clock time at the event's place.
    local = arrived.astimezone(event.zone).replace(tzinfo=None) if arrived else None
    return [neutralise(text or "") for text in texts] + [local]


def _csv_cell(value: str | datetime | None) -> str:
    if isinstance(value, datetime):
        return value.strftime(CSV_TIME)
    return value or ""


def _filename(event: Event, suffix: str) -> str:
    return f"deltakere-{event.slug}.{suffix}"


def csv_bytes(headers: list, rows) -> bytes:
    """A CSV file as Excel in Norway opens it: UTF-8 with a BOM (æøå), `;` between cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([str(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """A file to save, never cached."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<slug>/export.csv")
def export_csv(slug: str):
    event = event_or_404(slug)
    rows = (row_of(event, person) for person in queries.attendee_list(event))
    body = csv_bytes(HEADERS, rows)
    audit.record("export", event, detail="CSV", by=signed_in())
    return download(body, "text/csv; charset=utf-8", _filename(event, "csv"))


def _width_of(value: str | datetime | None) -> int:
    if isinstance(value, datetime):
        return len(XLSX_TIME)
    return max((len(line) for line in (value or "").splitlines()), default=0)


def _format_columns(sheet: Worksheet) -> None:
    """Phones as text, times as times, a filter on the header and widths that fit."""
    for column in sheet.iter_cols(min_row=1):
        letter = get_column_letter(column[0].column)
        longest = MIN_WIDTH
        for cell in column[1:]:
            if isinstance(cell.value, datetime):
                cell.number_format = XLSX_TIME
            elif cell.column == PHONE_COLUMN:
                cell.number_format = "@"
            longest = max(longest, _width_of(cell.value))
        longest = max(longest, len(str(column[0].value)))
        sheet.column_dimensions[letter].width = min(longest + 2, MAX_WIDTH)
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"


@bp.get("/events/<slug>/export.xlsx")
def export_xlsx(slug: str):
    event = event_or_404(slug)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_l("Deltakere"))
    sheet.append([str(header) for header in HEADERS])
    for person in queries.attendee_list(event):
        sheet.append(row_of(event, person))
    _format_columns(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit.record("export", event, detail="XLSX", by=signed_in())
    return download(buffer.getvalue(), XLSX_TYPE, _filename(event, "xlsx"))
