"""/new-link does the same work for known and unknown addresses (issue 12.6)."""

from conftest import count_rows, csrf_from, text_of, words_of
from signup.models import OutboxMessage


def ask_for_link(client, event, address: str):
    page = client.get(f"/new-link?event={event.slug}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "event": event.slug, "email": address}
    return client.post("/new-link", data=data)


def test_new_link_to_an_unknown_address_sends_a_no_registration_email(
    client, make_event, confirmed, smtp
):
    event = make_event(title="Temamøte for små og store bedrifter")
    confirmed(event, "kjent@example.no", name="Kjell Åsen")
    smtp.wait_for("kjent@example.no", 2)
    before = count_rows(OutboxMessage)

    known = ask_for_link(client, event, "kjent@example.no")
    after_known = count_rows(OutboxMessage)
    unknown = ask_for_link(client, event, "ukjent@example.no")

    # The same answer and the same work (one email rendered and queued) for both.
    assert known.status_code == unknown.status_code == 303
    assert known.location == unknown.location
    assert after_known - before == count_rows(OutboxMessage) - after_known == 1
    [mail] = smtp.wait_for("ukjent@example.no")
    assert mail["Subject"] == f"Ingen påmelding til {event.title} med denne adressen"
    body = text_of(mail)
    assert "Det finnes ingen påmelding til møtet med denne adressen" in words_of(mail)
    assert f"/events/{event.slug}/" in body
    assert "/m/" not in body and "/c/" not in body


def test_no_registration_emails_keep_the_per_address_limit(client, make_event, smtp):
    event = make_event()
    for _ in range(5):
        assert ask_for_link(client, event, "ukjent@example.no").status_code == 303

    assert ask_for_link(client, event, "Ukjent@Example.no").status_code == 429
    assert count_rows(OutboxMessage) == 5
