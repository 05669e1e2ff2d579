"""An organiser's seat decision and its audit entry commit together, or not at all.

The database itself refuses the audit row (a trigger): if the decision had been committed
before its entry was written, the change would stay with no entry saying who made it.
"""

import pytest
from sqlalchemy import text

from conftest import csrf_from
from signup.core import waitlist
from signup.extensions import db
from signup.models import AuditEntry, OutboxMessage, Registration, State

SQLITE_TRIGGER = """
CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit entry refused'); END
"""
POSTGRESQL_TRIGGER = [
    """CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'audit entry refused'; END $$""",
    """CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION refuse_audit()""",
]


@pytest.fixture
def audit_refused(app):
    """From now on the database refuses every new audit entry."""
    db.session.rollback()
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text(SQLITE_TRIGGER))
        else:
            for statement in POSTGRESQL_TRIGGER:
                connection.execute(text(statement))


def post_refused(client, path: str, **data) -> None:
    """Post a dashboard form whose audit entry the database refuses: the action fails."""
    token = csrf_from(client.get("/organiser/").get_data(as_text=True))
    try:
        response = client.post(path, data={"csrf_token": token, **data})
    except Exception as error:  # the test app lets the database error through
        assert "audit entry refused" in str(error)
    else:
        assert response.status_code == 500


def fresh(registration: Registration) -> Registration:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def mail_to(registration: Registration, kind: str) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id, OutboxMessage.kind == kind)
    )


def entries() -> list[str]:
    return list(
        db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action != "login"))
    )


def person_path(event, registration, action: str) -> str:
    return f"/organiser/events/{event.slug}/people/{registration.id}/{action}"


def test_capacity_is_not_raised_when_its_audit_entry_fails(
    organiser_client, make_event, confirmed, audit_refused
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    ola = confirmed(event, "ola@finnfjord.no")

    post_refused(organiser_client, f"/organiser/events/{event.slug}/capacity", capacity="2")

    assert fresh(ola).state == State.WAITLISTED
    assert db.session.get(type(event), event.id).capacity == 1
    assert waitlist.held_seats(event) == 1
    assert mail_to(ola, "offer") == 0
    assert entries() == []


def test_cancel_stays_undone_when_its_audit_entry_fails(
    organiser_client, make_event, confirmed, audit_refused
):
    event = make_event(capacity=1)
    kari = confirmed(event, "kari@finnfjord.no")
    ola = confirmed(event, "ola@finnfjord.no")

    post_refused(organiser_client, person_path(event, kari, "cancel"), reason="Bjørn ringte")

    assert fresh(kari).state == State.ADMITTED
    assert fresh(ola).state == State.WAITLISTED
    assert mail_to(kari, "cancelled") == 0 and mail_to(ola, "offer") == 0
    assert entries() == []


def test_given_seat_stays_ungiven_when_its_audit_entry_fails(
    organiser_client, make_event, confirmed, audit_refused
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    åse = confirmed(event, "aase@finnfjord.no")

    post_refused(organiser_client, person_path(event, åse, "grant"), allow_overflow="y")

    assert fresh(åse).state == State.WAITLISTED
    assert mail_to(åse, "admitted") == 0
    assert entries() == []


def test_moved_group_stays_unmoved_when_its_audit_entry_fails(
    organiser_client, make_event, confirmed, audit_refused
):
    event = make_event(capacity=1)
    confirmed(event, "kari@finnfjord.no")
    øystein = confirmed(event, "oystein@finnfjord.no")
    before = øystein.group_id
    other = next(group for group in event.groups if group.id != before)

    post_refused(organiser_client, person_path(event, øystein, "move"), group=other.key)

    assert fresh(øystein).group_id == before
    assert entries() == []
