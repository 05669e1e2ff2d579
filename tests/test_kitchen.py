"""Dietary needs reach the kitchen: in both exports and as a summary on the event page."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from conftest import csrf_from
from signup.extensions import db
from signup.models import Registration

NUTS = "Nøtteallergi (også peanøtter)"


@pytest.fixture
def dinner(make_event, confirmed):
    # Reykjavík is UTC all year: the export's times follow the event's zone, not Oslo's.
    event = make_event(capacity=3, timezone="Atlantic/Reykjavik")
    confirmed(event, "kare@fjordbruk.no", name="Kåre Ødegård", phone="+47 900 11 222", dietary=NUTS)
    confirmed(
        event, "ase@fjordbruk.no", name="Åse Brøndbo", dietary="  nøtteallergi (også  PEANØTTER) "
    )
    confirmed(event, "bjorn@fjordbruk.no", name="Bjørn Ærø", dietary="Laktosefri\nHalal")
    confirmed(event, "per@fjordbruk.no", name="Per Vågsbø", dietary="Vegetar")  # waitlisted
    return event


def _check_in(client, event, name: str) -> None:
    person = db.session.scalar(db.select(Registration).where(Registration.name == name))
    token = csrf_from(client.get(f"/organiser/events/{event.slug}/checkin").get_data(as_text=True))
    client.post(f"/organiser/events/{event.slug}/checkin/{person.id}", data={"csrf_token": token})


def test_the_csv_carries_each_persons_dietary_needs(organiser_client, dinner):
    response = organiser_client.get(f"/organiser/events/{dinner.slug}/export.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Matbehov")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Kåre Ødegård"][column] == NUTS
    assert by_name["Bjørn Ærø"][column] == "Laktosefri\nHalal"
    assert by_name["Kåre Ødegård"][rows[0].index("Telefon")] == "+47 900 11 222"


def test_the_xlsx_has_dietary_needs_text_phones_real_times_a_filter_and_widths(
    organiser_client, dinner
):
    _check_in(organiser_client, dinner, "Kåre Ødegård")
    response = organiser_client.get(f"/organiser/events/{dinner.slug}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    kare = rows["Kåre Ødegård"]
    assert kare[header.index("Matbehov")].value == NUTS
    phone = kare[header.index("Telefon")]
    assert phone.value == "+47 900 11 222" and phone.data_type == "s"
    assert phone.number_format == "@"
    arrived = kare[header.index("Ankommet")]
    # The clock stands at 09:00 in Oslo, 08:00 UTC: 08:00 in Reykjavík.
    assert arrived.value == datetime(2031, 3, 3, 8, 0)
    assert arrived.is_date and "yy" in arrived.number_format
    assert rows["Åse Brøndbo"][header.index("Ankommet")].value is None
    assert sheet.auto_filter.ref == f"A1:H{len(rows) + 1}"
    widths = {
        name: sheet.column_dimensions[chr(ord("A") + number)].width
        for number, name in enumerate(header)
    }
    assert all(8 <= width <= 52 for width in widths.values())
    assert widths["Matbehov"] > widths["Status"] - 5 and widths["E-post"] >= len(
        "bjorn@fjordbruk.no"
    )


def test_the_event_page_sums_up_the_dietary_needs_for_the_kitchen(organiser_client, dinner):
    page = organiser_client.get(f"/organiser/events/{dinner.slug}/").get_data(as_text=True)
    kitchen = page.split('id="kitchen-heading"', 1)[1].split("</section>", 1)[0]
    assert "Til kjøkkenet" in kitchen
    assert "3 av 3 med plass har oppgitt allergier eller behov for mat." in kitchen
    assert '<td>Nøtteallergi (også peanøtter)</td><td class="num">2</td>' in kitchen
    assert "Laktosefri Halal" in kitchen
    # Per is on the waitlist: no seat, no meal yet.
    assert "Vegetar" not in kitchen
