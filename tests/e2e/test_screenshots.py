"""Browser tests photograph pages outside tracked files unless asked to refresh the docs."""

import pytest

from e2e.conftest import DOC_SCREENSHOTS, screenshot_folder


@pytest.mark.parametrize("viewport", ["desktop"])
def test_an_ordinary_run_photographs_into_a_temporary_folder(person, scratch_screenshots):
    person.visit("/", "bildested-prøve")

    assert (scratch_screenshots / "bildested-prøve-desktop.png").is_file()
    assert not (DOC_SCREENSHOTS / "bildested-prøve-desktop.png").exists()


def test_refresh_screenshots_writes_into_docs(monkeypatch, tmp_path):
    monkeypatch.delenv("REFRESH_SCREENSHOTS", raising=False)
    assert screenshot_folder(tmp_path) == tmp_path
    monkeypatch.setenv("REFRESH_SCREENSHOTS", "1")
    assert screenshot_folder(tmp_path) == DOC_SCREENSHOTS
