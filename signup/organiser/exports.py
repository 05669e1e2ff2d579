"""The attendee list as CSV (UTF-8 with BOM, so Excel shows æøå) and XLSX."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from ..models import Event, Registration
from . import audit, bp, queries
from .labels import STATE_LABELS
from .lookup import event_or_404

HEADERS = [
    _l("Navn"),
    _l("Virksomhet"),
    _l("E-post"),
    _l("Telefon"),
    _l("Gruppe"),
    _l("Status"),
    _l("Ankommet"),
]
#: A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, so it stays text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def row_of(event: Event, registration: Registration) -> list[str]:
    arrived = registration.checked_in_at
    cells = [
        registration.name,
        registration.organisation,
        registration.email,
        registration.phone,
        registration.group.label,
        str(STATE_LABELS[registration.state]),
        arrived.astimezone(event.zone).strftime("%Y-%m-%d %H:%M") if arrived else "",
    ]
    return [neutralise(cell or "") for cell in cells]


def _filename(event: Event, suffix: str) -> str:
    return f"deltakere-{event.slug}.{suffix}"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<slug>/export.csv")
def export_csv(slug: str):
    event = event_or_404(slug)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([str(header) for header in HEADERS])
    writer.writerows(row_of(event, person) for person in queries.attendee_list(event))
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    audit.record("export", event, detail="CSV")
    return _download(body, "text/csv; charset=utf-8", _filename(event, "csv"))


@bp.get("/events/<slug>/export.xlsx")
def export_xlsx(slug: str):
    event = event_or_404(slug)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_l("Deltakere"))
    sheet.append([str(header) for header in HEADERS])
    for person in queries.attendee_list(event):
        sheet.append(row_of(event, person))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit.record("export", event, detail="XLSX")
    return _download(buffer.getvalue(), XLSX_TYPE, _filename(event, "xlsx"))
