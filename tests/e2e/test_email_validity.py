"""Every kind of email, not only those the browser tests happen to receive, passes the Nu Html
Checker (issue 13, item 10)."""

from __future__ import annotations

from e2e import htmlcheck
from signup.core import admission
from signup.core import handover as handovers
from signup.mail import kinds, render


def _html(kind: str, person, handover) -> bytes:
    """The HTML part, written with a waitlist position and the handover it is about."""
    values = {"position": 1, **({"handover": handover} if kind in kinds.ABOUT_HANDOVER else {})}
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
    assert htmlcheck.errors_in(documents) == []
