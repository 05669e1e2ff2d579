"""The SMTP sink reads every received message with email.policy.strict (tests/support)."""

from support.mailbox import strict_problem


def test_a_well_formed_message_parses_strictly():
    raw = (
        b"From: =?utf-8?q?P=C3=A5melding?= <pamelding@example.org>\r\n"
        b"To: ase@example.no\r\nSubject: =?utf-8?q?Temam=C3=B8te?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nHei \xc3\x85se\r\n"
    )
    assert strict_problem(raw) is None


def test_a_header_line_without_a_name_is_refused():
    raw = b"From: pamelding@example.org\r\nSubject: Hei\r\nno colon here\r\n\r\nHei\r\n"
    assert "MissingHeaderBodySeparatorDefect" in strict_problem(raw)


def test_a_body_that_does_not_decode_is_refused():
    raw = (
        b"From: pamelding@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!\r\n"
    )
    assert "InvalidBase64CharactersDefect" in strict_problem(raw)
