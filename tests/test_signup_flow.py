"""The sign-up flow over HTTP, with the mail a real SMTP server received."""

from datetime import timedelta

from conftest import (
    confirm_by_link,
    count_rows,
    csrf_from,
    fresh,
    link_path,
    press,
    submit_signup,
    text_of,
    words_of,
)
from signup.core import signups
from signup.models import OutboxMessage, Registration, State


def calendar_file(mail):
    return next(
        (part for part in mail.iter_attachments() if part.get_filename() == "invitasjon.ics"),
        None,
    )


def test_confirm_link_from_the_mail_admits_with_a_calendar_file(client, make_event, smtp):
    event = make_event(capacity=2)
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Ledige plasser" in page

    response = submit_signup(client, event, "kari@example.no")
    assert response.status_code == 303
    assert "Sjekk e-posten din" in client.get(response.location).get_data(as_text=True)
    [confirm_mail] = smtp.wait_for("kari@example.no")
    assert "Bekreft påmeldingen" in text_of(confirm_mail)
    assert fresh(signups.find(event, "kari@example.no")).state == State.UNCONFIRMED

    page = client.get(link_path(confirm_mail, "c"))
    assert page.status_code == 200
    assert "Bekreft påmeldingen" in page.get_data(as_text=True)
    page = press(client, page.get_data(as_text=True), "Bekreft påmeldingen")
    assert page.status_code == 200
    assert "Du har plass på møtet" in page.get_data(as_text=True)
    admitted = smtp.wait_for("kari@example.no", 2)[1]
    assert admitted["Subject"] == f"Du har plass: {event.title}"
    ics = calendar_file(admitted)
    assert ics is not None
    assert "BEGIN:VEVENT" in ics.get_content()
    assert link_path(admitted, "m")  # every mail carries the manage link


def test_waitlisted_mail_states_the_position(client, make_event, confirmed, smtp):
    event = make_event(capacity=1)
    confirmed(event, "forst@example.no")
    confirmed(event, "andre@example.no")

    submit_signup(client, event, "tredje@example.no")
    [confirm_mail] = smtp.wait_for("tredje@example.no")
    page = confirm_by_link(client, confirm_mail).get_data(as_text=True)

    assert "Du står på venteliste, som nummer 2 av 2" in page
    waitlisted = smtp.wait_for("tredje@example.no", 2)[1]
    assert waitlisted["Subject"].startswith("Du står på venteliste")
    assert "som nummer 2" in text_of(waitlisted)
    assert calendar_file(waitlisted) is None


def test_address_with_norwegian_letters_in_the_domain_gets_its_mail(client, make_event, smtp):
    event = make_event()

    assert submit_signup(client, event, "kari@bølgen.no").status_code == 303

    # The relay is given the domain's ASCII (IDNA) form; the link in the mail works.
    [mail] = smtp.wait_for("kari@xn--blgen-vua.no")
    assert "Du har plass" in confirm_by_link(client, mail).get_data(as_text=True)


def test_signing_up_again_makes_no_second_registration(client, make_event, smtp):
    event = make_event()
    first = submit_signup(client, event, "kari@example.no")
    first_page = client.get(first.location).get_data(as_text=True)
    smtp.wait_for("kari@example.no")

    again = submit_signup(client, event, "  KARI@Example.NO ", name="Kari Ø. Nordmann")
    assert again.status_code == 303
    assert again.location == first.location
    assert client.get(again.location).get_data(as_text=True) == first_page

    assert count_rows(Registration) == 1
    mails = smtp.wait_for_total(2)
    assert mails[0]["Subject"] == f"Bekreft påmeldingen til {event.title}"
    assert mails[1]["Subject"] == f"Adressen er allerede påmeldt til {event.title}"
    assert "ikke bekreftet" in text_of(mails[1])
    # The newer email's link confirms the details typed in the newer form.
    assert "Du har plass" in confirm_by_link(client, mails[1]).get_data(as_text=True)
    assert fresh(signups.find(event, "kari@example.no")).name == "Kari Ø. Nordmann"


def test_signing_up_again_when_confirmed_says_so_and_shows_the_same_page(
    client, make_event, confirmed, smtp
):
    event = make_event()
    confirmed(event, "kari@example.no", name="Kari Ås")
    unknown = submit_signup(client, event, "ny@example.no")
    known = submit_signup(client, event, "Kari@example.no", name="Påls Sønn")
    assert known.status_code == unknown.status_code == 303
    assert client.get(known.location).data == client.get(unknown.location).data

    mails = smtp.wait_for("kari@example.no", 3)  # confirm, admitted, already registered
    told = mails[-1]
    assert told["Subject"] == f"Adressen er allerede påmeldt til {event.title}"
    assert "Påmeldingen står nå som: har plass." in text_of(told)
    assert "ikke lagret, og påmeldingen din er uendret" in words_of(told)
    assert "/c/" not in text_of(told)
    assert "Du har plass" in client.get(link_path(told, "m")).get_data(as_text=True)
    assert count_rows(Registration, Registration.email_normalised == "kari@example.no") == 1
    assert fresh(signups.find(event, "kari@example.no")).name == "Kari Ås"


def test_confirm_pressed_twice_changes_nothing(client, make_event, smtp):
    event = make_event(capacity=1)
    submit_signup(client, event, "kari@example.no")
    [mail] = smtp.wait_for("kari@example.no")
    page = client.get(link_path(mail, "c")).get_data(as_text=True)
    assert press(client, page, "Bekreft påmeldingen").status_code == 200
    registration = signups.find(event, "kari@example.no")
    before = (fresh(registration).state, fresh(registration).admitted_at)
    smtp.wait_for("kari@example.no", 2)
    rows = count_rows(OutboxMessage)

    second = press(client, page, "Bekreft påmeldingen")

    assert second.status_code == 200
    assert "Du har plass på møtet" in second.get_data(as_text=True)
    assert (fresh(registration).state, fresh(registration).admitted_at) == before
    assert count_rows(OutboxMessage) == rows


def test_after_registration_closes_the_form_is_gone_and_posts_are_refused(
    client, make_event, frozen_clock
):
    event = make_event()
    form_page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    token = csrf_from(form_page)
    frozen_clock.set_now(event.registration_closes_at + timedelta(seconds=1))

    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Påmeldingen er stengt" in page
    assert "<form" not in page
    response = client.post(
        f"/events/{event.slug}/",
        data={
            "csrf_token": token,
            "name": "Kari Nordmann",
            "email": "kari@example.no",
            "organisation": "Finnfjord AS",
            "group": "medlem",
            "consent": "y",
        },
    )
    assert response.status_code == 409
    assert "Påmeldingen er stengt" in response.get_data(as_text=True)
    assert count_rows(Registration) == 0
    assert count_rows(OutboxMessage) == 0
    assert event.slug not in client.get("/").get_data(as_text=True)
