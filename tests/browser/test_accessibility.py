"""Keyboard use and error states in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser


def test_the_skip_link_comes_first_and_the_login_form_works_from_the_keyboard(page: Page, live_server):
    email = factories.user().email
    page.goto("/login")
    skip_link = page.get_by_role("link", name="Skip to main content")

    # The skip link is the first thing Tab reaches, and it shows when focused.
    expect(skip_link).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    first_focusable = page.evaluate(
        """() => {
            const selector = 'a[href], button, input:not([type=hidden]), select, textarea, """
        """[tabindex]:not([tabindex="-1"])';
            return document.querySelector(selector).textContent.trim();
        }"""
    )
    assert first_focusable == "Skip to main content"

    # Following it moves on to the main content: the next Tab lands in the form.
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/login#main")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your projects", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Site").get_by_role("button", name="Log out")).to_be_visible()


def test_the_new_project_form_submitted_empty_shows_accessible_errors(page: Page, live_server):
    log_in(page, factories.user(creator=True).email)
    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project", level=1)).to_be_visible()
    page.get_by_role("button", name="Create project").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="Please correct this:")).to_be_visible()
    expect(summary.get_by_role("link", name="Title: This field is required.")).to_have_attribute("href", "#title")
    title = page.get_by_label("Title", exact=True)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_attribute("aria-describedby", "title-error")
    expect(title).to_have_accessible_description("Error: This field is required.")
    expect(page.locator("#title-error")).to_be_visible()
    # Only the required field is flagged.
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    axe_check(page)
