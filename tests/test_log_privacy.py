"""The run-wide log check (tests/log_privacy.py) finds a person's data in a log line."""

import logging

from log_privacy import RecordKeeper, find_leaks

from conftest import app_log_text, submit_signup
from signup.extensions import db
from signup.models import Registration


def test_find_leaks_finds_an_address_a_name_and_a_dietary_note_in_a_line():
    lines = [
        "signup.mail.outbox WARNING outbox message 4 failed (attempt 2): SMTPRecipientsRefused",
        "app ERROR sent to åse.ødegård@fjordbruk.no",
        "app ERROR Traceback ...\n[parameters: ('Åse Ødegård', 'nøtter og skalldyr')]",
    ]
    values = {"åse.ødegård@fjordbruk.no", "Åse Ødegård", "nøtter og skalldyr", "+47 900 11 222"}
    assert [value for value, _line in find_leaks(lines, values)] == [
        "nøtter og skalldyr",
        "Åse Ødegård",
        "åse.ødegård@fjordbruk.no",
    ]
    assert find_leaks(lines[:1], values) == []


def test_the_keeper_formats_tracebacks_too():
    keeper = RecordKeeper()
    logger = logging.getLogger("log_privacy_selftest")
    logger.addHandler(keeper)
    # Only this keeper sees the name: the run-wide one would rightly report it as a leak
    # once another test of the run has signed up someone of that name.
    logger.propagate = False
    try:
        try:
            raise ValueError("Bjørn Ærø")
        except ValueError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(keeper)
        logger.propagate = True
    assert "Bjørn Ærø" in "\n".join(keeper.lines)


def test_every_registration_written_in_the_run_is_watched(client, make_event):
    import log_privacy

    event = make_event()
    submit_signup(
        client, event, "solvi.aase@fjordbruk.no", name="Sølvi Åse", dietary="glutenfri, ærlig"
    )
    assert db.session.scalar(db.select(Registration.name)) == "Sølvi Åse"
    watched = log_privacy._personal.values
    assert {"solvi.aase@fjordbruk.no", "Sølvi Åse", "glutenfri, ærlig"} <= watched


def test_a_rate_limited_address_is_not_logged(client, make_event, caplog):
    caplog.set_level(logging.INFO)
    event = make_event()
    statuses = [
        submit_signup(client, event, "bjorn.aero@fjordbruk.no", name="Bjørn Ærø").status_code
        for _ in range(6)
    ]
    assert statuses[-1] == 429
    assert "bjorn.aero@fjordbruk.no" not in app_log_text(caplog)


def test_flask_limiters_record_of_a_hit_limit_hides_its_key(app, client, make_event, caplog):
    """Flask-Limiter names the key (a client address) when a limit is hit; we hide it."""
    caplog.set_level(logging.INFO)
    app.config["SIGNUPS_PER_CLIENT"] = "2/minute"
    event = make_event()
    statuses = [
        submit_signup(client, event, f"kari.{n}@fjordbruk.no", name="Kari Ødegård").status_code
        for n in range(3)
    ]
    assert statuses[-1] == 429
    logged = app_log_text(caplog)
    assert "ratelimit" in logged and "[key hidden]" in logged
    assert "127.0.0.1" not in logged.split("ratelimit", 1)[1].splitlines()[0]
