"""Personal data goes when the consent text says it does; anonymous counts stay."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from sqlalchemy import String, Text, select

from signup import clock, scheduler
from signup.extensions import db
from signup.models import Registration, State

PEOPLE = [
    ("Åse Særlignavn", "aase.saerlig@firma-en.no", "Særfirma Én AS", "+47 411 11 111"),
    ("Bjørn Unikum", "bjorn.unikum@firma-to.no", "Unikum Fisk AS", "+47 422 22 222"),
    ("Cecilie Venteliste", "cecilie.vent@firma-tre.no", "Ventefirma AS", "+47 433 33 333"),
    ("Dag Ubekreftet", "dag.ubekreftet@firma-fire.no", "Ubekreftet AS", "+47 444 44 444"),
]


def _every_text_value() -> list[str]:
    """Every string stored in every text column of every table."""
    values = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if columns:
            for row in db.session.execute(select(*columns)):
                values.extend(str(v) for v in row if v)
    return values


def test_personal_data_is_erased_after_retention_days(
    app, smtp, make_event, sign_up, confirmed, caplog
):
    event = make_event(capacity=2, retention_days=10)
    for name, email, organisation, phone in PEOPLE[:3]:
        confirmed(
            event,
            email,
            "medlem",
            name=name,
            organisation=organisation,
            phone=phone,
            dietary=f"Allergi hos {name}",
        )
    name, email, organisation, phone = PEOPLE[3]
    sign_up(event, email, "andre", name=name, organisation=organisation, phone=phone)
    smtp.wait_for_total(7)

    clock.set_now(event.ends_at + timedelta(days=9, hours=23))
    scheduler.run_sweeps(app)
    stored = " ".join(_every_text_value())
    assert PEOPLE[0][0] in stored, "kept for contact tracing until retention_days have passed"

    caplog.set_level(logging.INFO)
    clock.set_now(event.ends_at + timedelta(days=10, minutes=1))
    scheduler.run_sweeps(app)

    stored = " ".join(_every_text_value()).lower()
    for person in PEOPLE:
        for value in person:
            assert value.lower() not in stored, value
    counts = Counter(db.session.scalars(select(Registration.state)))
    assert counts == {State.ADMITTED: 2, State.WAITLISTED: 1}
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("signup")).lower()
    assert "erased personal data of 3 registrations" in logged
    for person in PEOPLE:
        assert person[1] not in logged and person[0].lower() not in logged


def test_unconfirmed_sign_up_is_erased_when_its_link_expires(app, smtp, make_event, sign_up):
    event = make_event()
    sign_up(event, "glemt@example.no")
    smtp.wait_for("glemt@example.no")
    clock.advance(timedelta(hours=47))
    scheduler.run_sweeps(app)
    assert db.session.scalar(select(Registration)) is not None
    clock.advance(timedelta(hours=1, seconds=1))
    scheduler.run_sweeps(app)
    assert db.session.scalar(select(Registration)) is None
    assert "glemt@example.no" not in " ".join(_every_text_value())
