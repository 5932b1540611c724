"""Error pages say what happened, what was (not) saved, how long to wait, and lead back."""
from __future__ import annotations

import io

import pytest

from tests import factories


@pytest.fixture
def limited(app_with, monkeypatch):
    from impact.extensions import limiter

    # One limiter for the whole process; init_app switches it on for every app, so put it back.
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)

    def _limited(rule: str):
        return app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT=rule).test_client()
    return _limited


def _attempts(client, n: int) -> list:
    return [client.post("/login", data={"email": "x@example.org", "password": "guess"}) for _ in range(n)]


def test_a_per_minute_login_limit_says_wait_a_minute(limited, db):
    *_, refused = _attempts(limited("2 per minute"), 3)
    assert refused.status_code == 429
    assert "Please wait a minute and try again" in refused.get_data(as_text=True)


def test_the_hourly_login_limit_says_how_many_minutes_not_a_minute(limited, db):
    *_, refused = _attempts(limited("2 per hour"), 3)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "wait a minute" not in page
    assert "Please wait 60 minutes and try again" in page


# Under 500 KB, so the test client keeps the body in memory (a bigger one goes to a temporary file).
def test_an_upload_over_the_site_limit_says_nothing_was_saved_and_gives_the_limit(app_with, db, project, login_as):
    big = app_with(MAX_CONTENT_LENGTH=300 * 1024)
    client = big.test_client()
    with big.app_context():
        member = factories.user_with_role("practitioner_researcher", project)
        email = member.email
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    response = client.post(f"/projects/{project.id}/evidence/new",
                           data={"title": "Report", "file": (io.BytesIO(b"x" * (400 * 1024)), "report.pdf")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "larger than this site accepts (300 KB in all), so nothing was saved" in page and "Back button" in page


def test_a_page_the_role_may_not_open_says_whom_to_ask_and_leads_back_to_the_project(client, project, login_as):
    login_as("co_researcher", project)
    response = client.get(f"/projects/{project.id}/chain/steps/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "ask the project lead" in page and f'href="/projects/{project.id}"' in page
