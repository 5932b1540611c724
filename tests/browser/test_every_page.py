"""Every page of the app, opened in Chromium by the people who use it, passes axe-core.

The pages come from the permission matrix (tests/test_permissions.py), so a new route is
checked here as soon as it has its permission case. ``viewers`` says who opens which pages; the
page-weight and narrow-screen walks (test_page_weight.py, test_narrow_screens.py) use it too.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests import factories
from tests.browser.conftest import axe_check, log_in
from tests.permission_cases import ADMIN, CREATOR, GUEST, PUBLIC, PUBLIC_FORM
from tests.test_permissions import CASES, furnish, world

pytestmark = pytest.mark.browser

HTML_GETS = [case for case in CASES if case.method == "GET" and not case.api and not case.path.endswith(
    (".csv", ".json", ".pdf", ".docx", ".xlsx", "/file", "/recording", ".js", ".css"))]


def _pages(needs):
    return [case for case in HTML_GETS if case.need in needs]


PROJECT_PAGES = [case for case in HTML_GETS if case.need not in (ADMIN, CREATOR, GUEST, PUBLIC, PUBLIC_FORM)
                 and "{token}" not in case.path]
PUBLIC_PAGES = _pages((PUBLIC, PUBLIC_FORM, GUEST))
ADMIN_PAGES = _pages((ADMIN, CREATOR))


def viewers(project) -> list[tuple[str | None, list]]:
    """[(email to log in with, or None for logged out; the pages they open)], for a furnished project:
    the public pages logged out, the project's pages by its lead, the admin pages by a site admin."""
    lead = factories.user_with_role("lead", project)
    admin = factories.user_with_role("admin", None)
    return [(None, PUBLIC_PAGES), (lead.email, PROJECT_PAGES), (admin.email, ADMIN_PAGES)]


def _check_all(page: Page, cases, ids) -> int:
    checked = 0
    for case in cases:
        response = page.goto(case.path.format(**ids))
        assert response is not None and response.status == 200, f"{case.path}: {response and response.status}"
        axe_check(page)
        checked += 1
    return checked


def test_every_project_page_passes_axe_for_the_lead(page: Page, live_server, project):
    furnish(project)
    lead = factories.user_with_role("lead", project)
    ids = world(project)
    log_in(page, lead.email)
    assert _check_all(page, PROJECT_PAGES, ids) > 50


def test_admin_and_public_pages_pass_axe(page: Page, live_server, project):
    furnish(project)
    ids = world(project)
    # Public pages first, logged out: the card link, the follow-up form, opt-out, login, password pages.
    assert _check_all(page, PUBLIC_PAGES, ids) >= 5
    admin = factories.user_with_role("admin", None)
    log_in(page, admin.email)
    assert _check_all(page, ADMIN_PAGES, ids) >= 3
