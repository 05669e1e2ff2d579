"""The transactional outbox: mail survives an SMTP outage and goes out exactly once."""

import threading
from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest

from conftest import count_rows, in_threads, submit_signup, wait_until
from signup import scheduler
from signup.extensions import db
from signup.mail import compose, outbox, relay, render, worker
from signup.models import MessageState, OutboxMessage


def message_row(recipient: str) -> OutboxMessage:
    db.session.rollback()
    return db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == recipient))


def test_smtp_down_during_sign_up_then_back(app, client, make_event, smtp, frozen_clock):
    event = make_event()
    smtp.stop()

    response = submit_signup(client, event, "kari@example.no")

    assert response.status_code == 303
    wait_until(relay_outage, message="the unreachable relay did not pause delivery")
    row = message_row("kari@example.no")
    # The relay's outage is not the message's fault: it spends none of its attempts.
    assert (row.state, row.attempts) == (MessageState.QUEUED, 0)

    smtp.start()  # the server is back, on the same port
    frozen_clock.advance(timedelta(minutes=5))
    scheduler.run_sweeps(app)

    [mail] = smtp.wait_for("kari@example.no")
    assert mail["Subject"].startswith("Bekreft påmeldingen")
    # The message built at sign-up, with its Message-ID, dated when it finally went out.
    assert mail["Message-ID"] == message_row("kari@example.no").message_id
    assert mail["Date"].datetime == frozen_clock.now().replace(microsecond=0)
    assert message_row("kari@example.no").state == MessageState.SENT
    assert relay_outage() is None
    # Another sweep and a wake-up of the worker send nothing more.
    scheduler.run_sweeps(app)
    app.extensions["signup_delivery"].wake()
    frozen_clock.advance(timedelta(hours=2))
    scheduler.run_sweeps(app)
    assert len(smtp.to("kari@example.no")) == 1


def relay_outage():
    db.session.rollback()
    return relay.outage()


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_concurrent_senders_send_each_row_once(app, make_event, sign_up, smtp):
    worker.stop_worker(app)  # only the senders under test deliver
    event = make_event()
    for n in range(30):
        sign_up(event, f"person{n}@example.no")
    assert count_rows(OutboxMessage, OutboxMessage.state == MessageState.QUEUED) == 30
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def sender():
        with app.app_context():
            try:
                start.wait()
                while outbox.deliver_due(limit=3):
                    pass
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    in_threads([sender] * 4)

    assert errors == []
    assert count_rows(OutboxMessage, OutboxMessage.state == MessageState.SENT) == 30
    mails = smtp.wait_for_total(30)
    per_row = Counter(mail["Message-ID"] for mail in mails)
    assert len(per_row) == 30
    assert set(per_row.values()) == {1}


def test_rows_sent_by_another_sender_after_they_were_read_are_not_claimed(
    app, make_event, sign_up, smtp
):
    worker.stop_worker(app)  # only the senders under test deliver
    event = make_event()
    for n in range(3):
        sign_up(event, f"person{n}@example.no")
    assert outbox.build_written() == 3
    with db.engine.connect() as slow:
        read_before = outbox._due_ids(slow, limit=10)
        assert len(read_before) == 3
        assert outbox.deliver_due() == 3  # a faster sender takes and sends them meanwhile

        claim = outbox._claim(slow, read_before)

    assert claim.rows == []
    smtp.wait_for_total(3)
    assert outbox.deliver_due() == 0
    assert len(smtp.messages) == 3


LONG_SUBJECT = (
    "Du har fått plass på Temamøte industri – Kunnskapsparken Finnsnes, fredag 20. august"
)


@pytest.mark.parametrize(
    "subject, text",
    [
        ("Bekreft påmeldingen", "Hei Ørjan,\n\nFrom Finnsnes: velkommen.\n"),
        (LONG_SUBJECT, "Hei Åse,\n\n" + "Én meters avstand i salen og i pausene. " * 40 + "\n"),
    ],
)
def test_built_message_reads_back_as_written(app, subject, text):
    html = f"<p>{text}</p>"
    rendered = render.RenderedEmail(subject, text, html, ics="BEGIN:VCALENDAR\r\n")

    raw = compose.message(rendered, "kari@example.no", compose.new_message_id()).as_bytes()

    assert raw.count(b"\n") == raw.count(b"\r\n"), "SMTP sends the bytes as they are: CRLF only"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    mail = BytesParser(policy=policy.default).parsebytes(raw)
    assert mail["Subject"] == subject
    assert mail["From"].addresses[0].display_name == "Påmelding"
    assert mail["To"] == "kari@example.no"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    assert mail.get_body(("html",)).get_content().replace("\r\n", "\n") == html
    [ics] = mail.iter_attachments()
    assert ics.get_filename() == "invitasjon.ics"
    assert ics.get_content() == "BEGIN:VCALENDAR\r\n"


class StopAfter(threading.Event):
    """A stop signal that comes after `checks` looks at it: in the middle of a batch."""

    def __init__(self, checks: int):
        super().__init__()
        self.checks = checks

    def is_set(self) -> bool:
        self.checks -= 1
        return self.checks < 0 or super().is_set()


def outbox_rows() -> list[tuple[MessageState, bool, bool]]:
    """(state, built, claimed) of every row, in order."""
    db.session.rollback()
    rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
    return [(r.state, r.message is not None, r.claimed_until is not None) for r in rows]


def test_a_stopping_sender_finishes_the_email_in_hand_and_gives_the_rest_back(
    app, make_event, sign_up, smtp
):
    worker.stop_worker(app)  # the test decides when mail goes
    event = make_event(title="Temamøte i Ålesund")
    addresses = [f"pamelding{n}@example.no" for n in range(5)]
    for address in addresses:
        sign_up(event, address, name="Åse Bjørnstad Ødegård")

    assert outbox.deliver_due(stop=StopAfter(2)) == 0  # two built, then the stop
    assert (
        outbox_rows()
        == [(MessageState.QUEUED, True, False)] * 2 + [(MessageState.QUEUED, False, False)] * 3
    )
    # Three looks building the rest, one before sending, one before the first row: the
    # look before the second row stops it.
    assert outbox.deliver_due(stop=StopAfter(3 + 1 + 1)) == 1
    assert [state for state, _built, claimed in outbox_rows() if not claimed] == [
        MessageState.SENT
    ] + [MessageState.QUEUED] * 4
    assert len(smtp.messages) == 1

    assert outbox.deliver_due() == 4
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == addresses
    assert all(
        "Åse Bjørnstad Ødegård" in m.get_body(("plain",)).get_content() for m in smtp.messages
    )
