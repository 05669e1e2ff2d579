"""Every log record of the whole test run, checked at the end for the people the tests made.

No log line may hold personal data. This plugin keeps every record logged during the run
(every test, fixture and thread) and every name, address, phone number and dietary note
written to a registration; the run fails when a record holds one of them.
"""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import event as sa_event

from signup.models import Registration

#: The fields of a registration that are personal data.
PERSONAL_FIELDS = ("name", "email", "phone", "dietary")
#: Shorter values ("Ola", "Nei") would match unrelated words by chance.
MIN_LENGTH = 6
#: Our own loggers and the libraries' that see personal data, at every level: a debug line
#: leaks as much as an error does.
APP_LOGGERS = ("signup", "app", "flask-limiter")
#: The test SMTP sink logs what it receives, which is its job and not the product's.
IGNORED_LOGGERS = ("mail.log",)


class RecordKeeper(logging.Handler):
    """Keeps each record as its formatted text, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(IGNORED_LOGGERS):
            return
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted still counts
            self.lines.append(f"{record.name} {record.msg!r} {record.args!r}")


class PersonalValues:
    """Every personal value written to a registration during the run."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self._lock = threading.Lock()

    def collect(self, _mapper, _connection, registration: Registration) -> None:
        with self._lock:
            for field in PERSONAL_FIELDS:
                value = getattr(registration, field, None)
                if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
                    self.values.add(value.strip())


def find_leaks(lines: list[str], values: set[str]) -> list[tuple[str, str]]:
    """(value, line) for each personal value that appears in a log line."""
    text = "\n".join(lines)
    leaks = []
    for value in sorted(values):
        if value in text:
            line = next(line for line in lines if value in line)
            leaks.append((value, line))
    return leaks


_keeper = RecordKeeper()
_personal = PersonalValues()


def pytest_configure(config) -> None:
    logging.getLogger().addHandler(_keeper)
    for name in APP_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    sa_event.listen(Registration, "before_insert", _personal.collect)
    sa_event.listen(Registration, "before_update", _personal.collect)


#: Leaks the pytest-xdist workers found, each in its own process; reported by the controller.
_workers_leaks: list[tuple[str, str]] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """(pytest-xdist, in the controller) A worker is done: keep the leaks it found."""
    found = getattr(node, "workeroutput", {}).get("personal_data_in_logs", [])
    _workers_leaks.extend((value, line) for value, line in found)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session) -> None:
    """Fail the run when any record of any test holds a registrant's personal data.

    An xdist worker's exit status does not fail the run: a worker hands its leaks to the
    controller (pytest_testnodedown), whose session finishes after every worker's.
    """
    leaks = find_leaks(_keeper.lines, _personal.values)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["personal_data_in_logs"] = [list(leak) for leak in leaks]
        return
    leaks += _workers_leaks
    if not leaks:
        return
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.line("")
        reporter.write_sep("=", "personal data in log records", red=True)
        for value, line in leaks[:20]:
            reporter.write_line(f"{value!r} in: {line[:300]!r}")
