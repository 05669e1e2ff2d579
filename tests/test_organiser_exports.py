"""The attendee list as CSV and XLSX, and check-in at the door."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from conftest import csrf_from
from signup import clock
from signup.extensions import db
from signup.models import AuditEntry, Registration
from signup.web.organiser.exports import neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+47 900 00 000", "+47 900 00 000"),
        ("+4790000000", "+4790000000"),
        ("+47 900 00 000 -1", "'+47 900 00 000 -1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ('\uff1dHYPERLINK("x")', '\'\uff1dHYPERLINK("x")'),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tfane", "'\tfane"),
        ("\rretur", "'\rretur"),
        ("Ærlig Øl & Å", "Ærlig Øl & Å"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.fixture
def attendees(make_event, confirmed, sign_up):
    event = make_event(capacity=2)
    confirmed(event, "kari@finnfjord.no", name="Kåre Ødegård", organisation="=cmd|' /C calc'!A0")
    confirmed(event, "ola@finnfjord.no", name="Ola Nordmann", phone="+47 900 00 000")
    confirmed(event, "per@example.no", group="andre", name="@Per")
    sign_up(event, "unconfirmed@example.no", name="Ikke Bekreftet")
    return event


def test_csv_has_a_bom_neutralised_cells_and_only_confirmed_people(organiser_client, attendees):
    response = organiser_client.get(f"/organiser/events/{attendees.slug}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Navn",
        "Virksomhet",
        "E-post",
        "Telefon",
        "Matbehov",
        "Gruppe",
        "Status",
        "Ankommet",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Kåre Ødegård", "Ola Nordmann", "'@Per"}
    assert by_name["Kåre Ødegård"][1] == "'=cmd|' /C calc'!A0"
    assert by_name["Ola Nordmann"][3] == "+47 900 00 000"
    assert by_name["'@Per"][6] == "på venteliste"
    assert db.session.scalar(db.select(AuditEntry.detail).where(AuditEntry.action == "export"))


def test_xlsx_opens_with_openpyxl_and_shows_local_check_in_time(organiser_client, attendees):
    kari = db.session.scalar(db.select(Registration).where(Registration.name == "Kåre Ødegård"))
    token = csrf_from(organiser_client.get("/organiser/").get_data(as_text=True))
    organiser_client.post(
        f"/organiser/events/{attendees.slug}/checkin/{kari.id}", data={"csrf_token": token}
    )
    response = organiser_client.get(f"/organiser/events/{attendees.slug}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Navn"
    kari_row = next(row for row in rows if row[0] == "Kåre Ødegård")
    assert kari_row[1] == "'=cmd|' /C calc'!A0"
    # The clock stands at 09:00 in Oslo (08:00 UTC in March).
    assert kari_row[7] == datetime(2031, 3, 3, 9, 0)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_check_in_page_works_without_javascript(organiser_client, attendees):
    path = f"/organiser/events/{attendees.slug}/checkin"
    page = organiser_client.get(path).get_data(as_text=True)
    assert "0</strong> ankommet av <strong>2" in page
    assert "checkin.js" in page and "<script>" not in page
    found = organiser_client.get(path, query_string={"q": "ødegård"}).get_data(as_text=True)
    assert "Kåre Ødegård" in found and "Ola Nordmann" not in found
    waiting = organiser_client.get(path, query_string={"q": "@Per"}).get_data(as_text=True)
    assert "HAR IKKE PLASS" in waiting


def test_one_tap_marks_arrival_and_can_be_undone(organiser_client, attendees):
    ola = db.session.scalar(db.select(Registration).where(Registration.name == "Ola Nordmann"))
    path = f"/organiser/events/{attendees.slug}/checkin"
    token = csrf_from(organiser_client.get(path).get_data(as_text=True))
    clock.advance(timedelta(minutes=5))
    response = organiser_client.post(f"{path}/{ola.id}", data={"csrf_token": token})
    assert response.status_code == 303
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ola Nordmann er registrert som ankommet." in page
    assert "Ankommet 09:05" in page
    db.session.expire_all()
    assert db.session.get(Registration, ola.id).checked_in_at == clock.now()
    organiser_client.post(f"{path}/{ola.id}/undo", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Registration, ola.id).checked_in_at is None
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["check_in", "undo_check_in"]


def test_someone_without_a_seat_cannot_be_checked_in(organiser_client, attendees):
    per = db.session.scalar(db.select(Registration).where(Registration.name == "@Per"))
    path = f"/organiser/events/{attendees.slug}/checkin"
    token = csrf_from(organiser_client.get(path).get_data(as_text=True))
    response = organiser_client.post(f"{path}/{per.id}", data={"csrf_token": token})
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "har ikke plass og kan ikke sjekkes inn" in page
    db.session.expire_all()
    assert db.session.get(Registration, per.id).checked_in_at is None
