"""The run-wide log check fails the whole run, also when pytest-xdist runs it in workers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Two pytest runs in subprocesses, of a test that has no database: once is enough.
pytestmark = [pytest.mark.slow, pytest.mark.once]

TESTS = Path(__file__).resolve().parent
LEAKING_TEST = """
import logging
from types import SimpleNamespace

import log_privacy


def test_a_name_reaches_the_log():
    person = SimpleNamespace(name="Bjørn Åsmund Kværnø", email=None, phone=None, dietary=None)
    log_privacy._personal.collect(None, None, person)
    logging.getLogger("signup.selftest").warning("sent to Bjørn Åsmund Kværnø")


def test_a_clean_neighbour():
    assert True
"""
XDIST = ["-n", "2"]


@pytest.mark.parametrize(
    "workers",
    [
        [],
        pytest.param(
            XDIST,
            marks=pytest.mark.skipif(
                importlib.util.find_spec("xdist") is None, reason="pytest-xdist is not installed"
            ),
        ),
    ],
    ids=["one-process", "xdist"],
)
def test_a_log_line_with_a_name_fails_the_run_though_every_test_passed(tmp_path, workers):
    path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    (tmp_path / "pytest.ini").write_text("[pytest]\n", "utf-8")
    (tmp_path / "test_leak.py").write_text(LEAKING_TEST, "utf-8")
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "log_privacy"]
        + workers
        + ["test_leak.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent), *path])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "2 passed" in ran.stdout, ran.stdout + ran.stderr
    assert ran.returncode == pytest.ExitCode.TESTS_FAILED, ran.stdout + ran.stderr
    assert "personal data in log records" in ran.stdout
    assert "'Bjørn Åsmund Kværnø' in: 'signup.selftest WARNING sent to" in ran.stdout
