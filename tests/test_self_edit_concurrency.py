"""Two people confirming the same new address at once, from real threads: one wins, the
other is told the address is taken, and nothing else breaks (issue 16)."""

import functools
import threading

import pytest

from conftest import in_threads
from signup.core import details, signups
from signup.core.errors import Refusal, Refused
from signup.extensions import db
from signup.models import Registration

pytestmark = pytest.mark.own_database


def _own(public_id: str) -> Registration:
    return db.session.scalar(db.select(Registration).where(Registration.public_id == public_id))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_confirm_the_same_new_address_at_once(app, make_event, confirmed):
    event = make_event()
    people = []
    for address, name in (("kari@sjomat.no", "Kari Åsheim"), ("ola@sjomat.no", "Ola Ødegård")):
        person = confirmed(event, address, name=name)
        typed = {field: getattr(person, field) for field in signups.DETAIL_FIELDS}
        details.change(person, typed, "felles@sjomat.no")
        people.append((person.public_id, db.session.get(Registration, person.id).email_version))

    start = threading.Barrier(len(people))
    outcomes: list[object] = []

    def confirm(public_id: str, version: int) -> None:
        with app.app_context():
            try:
                start.wait()
                details.confirm_email(_own(public_id), version)
                outcomes.append("changed")
            except Refused as error:
                outcomes.append(error.reason)
            except BaseException as error:  # collected and failed on below
                outcomes.append(error)
            finally:
                db.session.remove()

    in_threads([functools.partial(confirm, *person) for person in people])

    assert sorted(map(str, outcomes)) == sorted(["changed", str(Refusal.ADDRESS_TAKEN)])
    db.session.rollback()
    owners = db.session.scalars(
        db.select(Registration).where(Registration.email_normalised == "felles@sjomat.no")
    ).all()
    assert len(owners) == 1
