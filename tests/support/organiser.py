"""An organiser account and a test client logged in to the dashboard."""

from __future__ import annotations

import pytest

from .http import csrf_from

ORGANISER_EMAIL = "arrangor@profilgruppa.no"
ORGANISER_PASSWORD = "riktig-hest-batteri-stift"


@pytest.fixture
def organiser(app):
    """An organiser account, made the way the CLI makes it."""
    from signup.core.accounts import create_organiser

    return create_organiser(ORGANISER_EMAIL, ORGANISER_PASSWORD)


def log_in(client, email: str = ORGANISER_EMAIL, password: str = ORGANISER_PASSWORD):
    """Post the login form as a browser would; returns the response."""
    page = client.get("/organiser/login").get_data(as_text=True)
    return client.post(
        "/organiser/login",
        data={"csrf_token": csrf_from(page), "email": email, "password": password},
    )


@pytest.fixture
def organiser_client(client, organiser):
    """A test client logged in as `organiser`."""
    assert log_in(client).status_code == 303
    return client
