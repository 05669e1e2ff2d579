"""The outbox row holds the intent; the email is built once, after the commit, outside the lock.

The row written with a seat decision keeps the facts of that moment (state, deadlines,
offer number, language, position). The email built from it later states those facts,
whatever happened to the registration since; its bytes are kept and sent on every try.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from conftest import link_path, words_of
from signup.core import admission, retention, signups
from signup.core.lock import seat_lock
from signup.extensions import db
from signup.mail import compose, outbox, render, worker
from signup.models import MessageState, OutboxMessage, Registration, State
from signup.web import timefmt


@pytest.fixture
def by_hand(app):
    """The delivery thread is stopped: each test decides when rows are built and sent."""
    worker.stop_worker(app)


def rows_to(address: str, kind: str | None = None) -> list[OutboxMessage]:
    db.session.rollback()
    query = db.select(OutboxMessage).where(OutboxMessage.recipient == address)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_nothing_is_rendered_while_the_seat_lock_is_held(app, make_event, sign_up):
    event = make_event(title="Temamøte på Ærøy")
    kari = sign_up(event, "kari@example.no", name="Kari Ødegård")

    with pytest.raises(render.RenderedInSeatLock), seat_lock(event.id):
        render.render("status", kari)

    assert render.render("status", kari).subject  # after the lock, as ever


def test_a_confirm_writes_the_intent_and_the_email_is_built_after(
    app, make_event, confirmed, sign_up, smtp, by_hand
):
    event = make_event(title="Temamøte på Ærøy", capacity=1)
    confirmed(event, "first@example.no", name="Åse Først")
    ola = sign_up(event, "ola@example.no", name="Ola Ørnes")

    admission.confirm(ola)

    [row] = rows_to("ola@example.no", "waitlisted")
    assert (row.message, row.subject) == (None, None)
    assert row.context["values"] == {"position": 1}
    assert row.context["facts"]["state"] == "waitlisted"
    assert outbox.deliver_due() == 4
    [mail] = smtp.wait_for("ola@example.no", 2)[1:]
    assert mail["Message-ID"] == row.message_id
    assert "som nummer 1" in words_of(mail)
    assert rows_to("ola@example.no", "waitlisted")[0].subject == mail["Subject"]


def test_an_offer_built_after_it_was_declined_states_the_offer_as_made(
    app, make_event, confirmed, sign_up, smtp, by_hand, frozen_clock
):
    event = make_event(capacity=1)
    åse = confirmed(event, "ase@example.no", name="Åse Bråthen")
    ola = confirmed(event, "ola@example.no", name="Ola Ørnes")
    admission.cancel(åse)
    [offer] = rows_to("ola@example.no", "offer")
    deadline = offer.context["facts"]["offer_expires_at"]
    assert deadline is not None

    # Before the offer email is built, Ola declines (the deadline is cleared in his row).
    admission.decline(ola, offer_number=1)
    frozen_clock.advance(timedelta(minutes=1))
    outbox.deliver_due()

    [offer] = rows_to("ola@example.no", "offer")
    assert offer.state == MessageState.SENT
    [mail] = [m for m in smtp.to("ola@example.no") if m["Message-ID"] == offer.message_id]
    written = datetime.fromisoformat(deadline)
    assert f"Svar innen {timefmt.long_datetime(written, event.zone)}" in words_of(mail)
    assert link_path(mail, "o")  # the offer's own link, for offer number 1


def test_a_status_email_states_the_state_it_was_written_in(
    app, make_event, confirmed, sign_up, smtp, by_hand
):
    event = make_event(capacity=1)
    åse = confirmed(event, "ase@example.no", name="Åse Bråthen")
    kari = confirmed(event, "kari@example.no", name="Kari Ødegård")

    signups.request_link(event, "kari@example.no")  # status: waiting
    admission.cancel(åse)  # then Kari is offered the seat, before it is built
    outbox.deliver_due()

    [status] = rows_to("kari@example.no", "status")
    [mail] = [m for m in smtp.to("kari@example.no") if m["Message-ID"] == status.message_id]
    assert "står nå som: på venteliste" in words_of(mail)
    assert kari.id


def test_a_row_whose_registration_was_erased_fails_with_the_reason(
    app, make_event, sign_up, smtp, by_hand
):
    event = make_event()
    sign_up(event, "kari@example.no", name="Kari Ødegård")
    sign_up(event, "ola@example.no", name="Ola Ørnes")
    db.session.execute(
        update(Registration)
        .where(Registration.email == "kari@example.no")
        .values({**retention.ERASED, Registration.erased_at: retention.now()})
    )
    db.session.commit()

    assert outbox.deliver_due() == 1  # the other row goes; the worker does not stop

    [row] = rows_to("kari@example.no")
    assert (row.state, row.message) == (MessageState.FAILED, None)
    assert row.last_error == compose.ERASED
    assert len(smtp.wait_for("ola@example.no")) == 1


def test_every_try_sends_the_bytes_built_once(app, make_event, sign_up, smtp, by_hand):
    event = make_event(title="Temamøte på Værøy")
    kari = sign_up(event, "kari@example.no", name="Kari Ødegård")
    assert outbox.build_written() == 1
    [row] = rows_to("kari@example.no")
    built = row.message

    # Renamed after the build: an email sent again is the one built, byte for byte.
    db.session.execute(
        update(Registration).where(Registration.id == kari.id).values(name="Kari Endret")
    )
    db.session.commit()
    assert outbox.deliver_due() == 1
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id).values(state=MessageState.FAILED)
    )
    outbox.requeue(row.id)
    db.session.commit()
    assert outbox.deliver_due() == 1

    first, again = smtp.wait_for("kari@example.no", 2)
    assert rows_to("kari@example.no")[0].message == built
    assert first["Message-ID"] == again["Message-ID"] == row.message_id
    assert "Kari Ødegård" in words_of(again) and "Endret" not in words_of(again)
    assert first.as_bytes().split(b"\n\n", 1)[1] == again.as_bytes().split(b"\n\n", 1)[1]


def test_an_intent_keeps_no_personal_data(app, make_event, confirmed, by_hand):
    event = make_event(capacity=0)
    confirmed(event, "kari@example.no", name="Kari Ødegård", phone="912 34 567")

    for row in rows_to("kari@example.no"):
        text = repr(row.context)
        assert "Kari" not in text and "912" not in text and "kari@" not in text
    assert State.WAITLISTED.value in repr(rows_to("kari@example.no", "waitlisted")[0].context)


def test_each_kind_of_email_is_listed_once_with_its_templates_and_name():
    """mail/kinds.py is the one list: rendering and the organiser's words both read it."""
    from pathlib import Path

    from signup.mail import kinds
    from signup.web.organiser import labels

    emails = Path(__file__).resolve().parent.parent / "emails"
    everything = set(render.KINDS) | set(render.ADDRESS_KINDS) | set(render.ACCOUNT_KINDS)
    everything |= set(render.HANDOVER_KINDS)
    assert everything == set(kinds.NAMES)
    assert labels.EMAIL_KIND_LABELS is kinds.NAMES
    for kind in kinds.NAMES:
        assert (emails / f"{kind}.txt").is_file() and (emails / f"{kind}.html").is_file()
