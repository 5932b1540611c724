"""Every page of the app, opened in Chromium by the people who use it, passes axe-core.

The pages come from the permission matrix (tests/test_permissions.py), so a new route is
checked here as soon as it has its permission case.
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
    project_pages = [case for case in HTML_GETS if case.need not in (ADMIN, CREATOR, GUEST, PUBLIC, PUBLIC_FORM)
                     and "{token}" not in case.path]
    log_in(page, lead.email)
    assert _check_all(page, project_pages, ids) > 50


def test_admin_and_public_pages_pass_axe(page: Page, live_server, project):
    furnish(project)
    ids = world(project)
    # Public pages first, logged out: the card link, the follow-up form, opt-out, login, password pages.
    public = [case for case in _pages((PUBLIC, PUBLIC_FORM, GUEST))]
    assert _check_all(page, public, ids) >= 5
    admin = factories.user_with_role("admin", None)
    log_in(page, admin.email)
    assert _check_all(page, _pages((ADMIN, CREATOR)), ids) >= 3
