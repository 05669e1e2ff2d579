"""Operators and organisers send failed email again, and see when the relay is down.

`flask outbox retry --failed [--event SLUG]` and the outbox page's "send all failed
again" button (POST with CSRF, audited); the event overview and the outbox page say
plainly while delivery is paused because the relay cannot be reached.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from relay_sink import NO_SUCH_USER, answering_sink

from conftest import csrf_from, text_of
from signup.core import audit
from signup.extensions import db
from signup.mail import outbox, worker
from signup.models import AuditEntry, MessageState, OutboxMessage

ADDRESSES = ["aerlig@example.no", "odegard@example.no"]
RELAY_DOWN = "E-posttjeneren har ikke svart siden"


@pytest.fixture
def smtp():
    with answering_sink() as sink:
        yield sink


@pytest.fixture
def failed_event(app, make_event, sign_up, smtp):
    """An event whose two emails the relay refused for good ("no such user")."""
    worker.stop_worker(app)  # the tests decide when mail goes
    event = make_event(title="Temamøte på Støren", slug=f"mote-{len(smtp.answers)}")
    for address in ADDRESSES:
        smtp.answers[address] = NO_SUCH_USER
        sign_up(event, address, name="Åsmund Ærlig")
    outbox.deliver_due()
    assert states(event) == [MessageState.FAILED] * 2
    smtp.answers.clear()  # the addresses are fixed: the relay takes them now
    return event


def states(event) -> list[MessageState]:
    db.session.rollback()
    return list(
        db.session.scalars(
            db.select(OutboxMessage.state)
            .where(OutboxMessage.event_id == event.id)
            .order_by(OutboxMessage.id)
        )
    )


def audited() -> list[tuple[str, int | None, str, str | None]]:
    db.session.rollback()
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
    return [(e.action, e.event_id, e.detail, e.operator) for e in entries if e.action != "login"]


def test_cli_retry_failed_sends_one_events_failed_mail_again(
    app, runner, make_event, sign_up, smtp, failed_event
):
    other = make_event(title="Årsmøte")
    smtp.answers["aase@example.no"] = NO_SUCH_USER
    sign_up(other, "aase@example.no", name="Åse Ås")
    outbox.deliver_due()
    smtp.answers.clear()

    result = runner.invoke(args=["outbox", "retry", "--failed", "--event", failed_event.slug])

    assert result.exit_code == 0, result.output
    assert "2 failed message(s)" in result.output
    assert outbox.deliver_due() == 2
    assert states(failed_event) == [MessageState.SENT] * 2
    assert states(other) == [MessageState.FAILED]
    assert "Bekreft" in text_of(smtp.to("aerlig@example.no")[0])
    assert audited() == [("requeue_failed", failed_event.id, "2 e-poster", audit.operator_name())]

    result = runner.invoke(args=["outbox", "retry", "--failed"])
    assert "1 failed message(s)" in result.output
    assert outbox.deliver_due() == 1
    assert states(other) == [MessageState.SENT]


def test_cli_retry_says_what_it_needs(app, runner, failed_event):
    without_flag = runner.invoke(args=["outbox", "retry"])
    unknown = runner.invoke(args=["outbox", "retry", "--failed", "--event", "finnes-ikke"])

    assert without_flag.exit_code != 0 and "--failed" in without_flag.output
    assert unknown.exit_code != 0 and "no event with slug 'finnes-ikke'" in unknown.output
    assert states(failed_event) == [MessageState.FAILED] * 2
    assert audited() == []


def test_send_all_failed_again_button(organiser_client, failed_event, smtp, frozen_clock):
    frozen_clock.advance(timedelta(hours=5))
    path = f"/organiser/events/{failed_event.slug}/outbox"
    page = organiser_client.get(path).get_data(as_text=True)
    assert NO_SUCH_USER in page
    assert "E-post som har feilet: 2." in page

    refused = organiser_client.post(f"{path}/requeue-failed", data={})
    assert refused.status_code == 400  # no CSRF token: nothing changes
    assert states(failed_event) == [MessageState.FAILED] * 2

    response = organiser_client.post(f"{path}/requeue-failed", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 303
    after = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 feilet e-post er lagt i kø og sendes straks." in after
    assert outbox.deliver_due() == 2
    assert states(failed_event) == [MessageState.SENT] * 2
    assert [a[:2] for a in audited()] == [("requeue_failed", failed_event.id)]
    # Sent again with the Message-ID it was built with, dated when it went out.
    [mail] = smtp.to("aerlig@example.no")
    row = db.session.scalar(db.select(OutboxMessage).filter_by(recipient="aerlig@example.no"))
    assert mail["Message-ID"] == row.message_id
    assert mail["Date"].datetime == frozen_clock.now().replace(microsecond=0)


def test_dashboard_says_while_the_relay_is_down(
    app, organiser_client, make_event, sign_up, smtp, frozen_clock
):
    worker.stop_worker(app)
    event = make_event(title="Temamøte på Røros")
    sign_up(event, "kari@example.no", name="Kari Ødegård")
    smtp.stop()
    assert outbox.deliver_due() == 0
    overview = f"/organiser/events/{event.slug}/"

    for path in (overview, f"{overview}outbox"):
        page = organiser_client.get(path).get_data(as_text=True)
        assert f"{RELAY_DOWN} 03.03.2031 09:00." in page

    smtp.start()
    frozen_clock.advance(outbox.backoff(1))
    assert outbox.deliver_due() == 1
    assert RELAY_DOWN not in organiser_client.get(overview).get_data(as_text=True)
