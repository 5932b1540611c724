"""The live server itself: real CSRF protection, and the same database as the test code."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import axe_check

pytestmark = pytest.mark.browser


def test_the_live_server_checks_csrf_tokens_and_shares_the_database(page: Page, live_server, app):
    assert live_server.app is not app
    assert live_server.app.config["WTF_CSRF_ENABLED"] is True
    assert live_server.app.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]
    email = factories.user().email  # made by the test code, seen by the server below

    page.goto("/login")
    token = page.locator("form:has(#email) input[name=csrf_token]")
    expect(token).to_have_count(1)
    assert token.get_attribute("value")
    token.evaluate("input => input.remove()")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Form expired", level=1)).to_be_visible()
    axe_check(page)

    # With the token, the account the test made logs in.
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your projects", level=1)).to_be_visible()
