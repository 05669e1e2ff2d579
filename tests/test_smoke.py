from conftest import confirm_by_link, submit_signup, text_of


def test_sign_up_confirm_admitted(client, make_event, smtp):
    event = make_event(capacity=1)
    response = submit_signup(client, event, "Kari@Example.no ")
    assert response.status_code == 303
    [mail] = smtp.wait_for("Kari@Example.no")
    assert "Bekreft påmeldingen" in text_of(mail)
    page = confirm_by_link(client, mail)
    assert "Du har plass" in page.get_data(as_text=True)
    admitted = smtp.wait_for("Kari@Example.no", 2)[1]
    assert admitted["Subject"].startswith("Du har plass")
    assert any(part.get_filename() == "invitasjon.ics" for part in admitted.iter_attachments())
