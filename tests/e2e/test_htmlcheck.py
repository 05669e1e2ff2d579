"""The Nu Html Checker really finds errors, and says which document holds each one."""

from __future__ import annotations

from e2e import htmlcheck

HEAD = '<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Påmelding</title></head>'
VALID = HEAD + "<body><p>Bjørn Åsmund Kværnø, Sjømat Øst AS</p></body></html>"
INVALID = HEAD + '<body><img src="kart.png"><p>Blåbær</div></body></html>'


def test_an_invalid_document_fails_naming_it_and_a_valid_one_passes():
    errors = htmlcheck.errors_in(
        [("side /ærlig", INVALID.encode()), ("e-post Velkommen", VALID.encode())]
    )
    assert errors, "vnu found nothing in a document with two errors"
    assert all(error.startswith("side /ærlig line 1: ") for error in errors), errors
    assert any("“img” element must have an “alt” attribute" in error for error in errors), errors
    assert any("“div”" in error for error in errors), errors
    # A document with errors is never remembered as valid: checked again, it fails again.
    assert htmlcheck.errors_in([("på nytt", INVALID.encode())]) != []
    assert htmlcheck.errors_in([("e-post Velkommen", VALID.encode())]) == []
