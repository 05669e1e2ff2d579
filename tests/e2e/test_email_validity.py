"""Every kind of email, not only those the browser tests happen to receive, passes the Nu Html
Checker (issue 13, item 10)."""

from __future__ import annotations

from e2e import htmlcheck
from signup.core import admission
from signup.core import handover as handovers
from signup.mail import kinds, render

#: An organiser's message, with the Markdown it may hold (issue 16).
MESSAGE = {"message_subject": "Nytt rom på Ås", "message_body": "**Nytt** rom:\n\n- Ørland"}


def _html(kind: str, person, handover) -> bytes:
    """The HTML part, written with a waitlist position, the handover it is about and the
    organiser's message it carries."""
    values = {"position": 1, **MESSAGE}
    if kind in kinds.ABOUT_HANDOVER:
        values["handover"] = handover
    return render.render(kind, person, **values).html.encode()


def test_every_kind_of_email_is_valid_html(app, make_event, confirmed):
    event = make_event(capacity=1, title="Temamøte på Ørland: blåskjell & ærlig industri")
    seated = confirmed(event, "ase@example.no", name="Åse Ødegård")
    waiting = confirmed(event, "kare@example.no", name="Kåre Ås")
    admission.cancel(seated)  # Kåre now holds an offer
    other = make_event(title="Temamøte på Ørland: blåskjell & ærlig industri")
    handover = handovers.start(confirmed(other, "ola@example.no"), "Åsmund Bjørnå", "a@example.no")
    documents = [
        (f"{kind} ({person.state.value})", _html(kind, person, handover))
        for person in (seated, waiting)
        for kind in render.KINDS
    ]
    documents += [
        (kind, render.render_for_handover(kind, handover, "nb").html.encode())
        for kind in render.HANDOVER_KINDS
    ]
    sample = render.render_sample(event, test=True, **MESSAGE)
    documents.append((render.SAMPLE_KIND, sample.html.encode()))
    assert htmlcheck.errors_in(documents) == []
