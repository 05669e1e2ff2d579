"""Every kind of email, not only those the browser tests happen to receive, passes the Nu Html
Checker (issue 13, item 10)."""

from __future__ import annotations

from e2e import htmlcheck
from signup.core import admission
from signup.mail import render


def test_every_kind_of_email_is_valid_html(app, make_event, confirmed):
    event = make_event(capacity=1, title="Temamøte på Ørland: blåskjell & ærlig industri")
    seated = confirmed(event, "ase@example.no", name="Åse Ødegård")
    waiting = confirmed(event, "kare@example.no", name="Kåre Ås")
    admission.cancel(seated)  # Kåre now holds an offer
    # An organiser's message, with the Markdown it may hold (issue 16).
    message = {"message_subject": "Nytt rom på Ås", "message_body": "**Nytt** rom:\n\n- Ørland"}
    documents = [
        (
            f"{kind} ({person.state.value})",
            render.render(kind, person, position=1, **message).html.encode(),
        )
        for person in (seated, waiting)
        for kind in render.KINDS
    ]
    sample = render.render_sample(event, test=True, **message)
    documents.append((render.SAMPLE_KIND, sample.html.encode()))
    assert htmlcheck.errors_in(documents) == []
