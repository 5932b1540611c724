"""A funder opens the portfolio and reads a published report, on a desk and on a phone: summary first,
nothing sideways, no barriers."""
from __future__ import annotations

import pytest

from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_funder_opens_the_portfolio_and_reads_a_report_on_a_desk_and_on_a_phone(new_page, live_server, app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    for options in ({}, PHONE):
        page = new_page(**options)
        log_in(page, "funder@demo.example.org", "demo-password")
        page.get_by_role("link", name="Portfolio of published reports").click()
        page.get_by_role("heading", name="Across 1 project").wait_for()
        axe_check(page)
        page.get_by_label("Programme").select_option("Engaging with Scottish Local Authorities")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("link", name="Engaging with involuntary clients").click()
        summary = page.get_by_role("heading", name="In short")
        summary.wait_for()
        assert summary.bounding_box()["y"] < 700  # the summary starts on the first screen
        if options:
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        axe_check(page)
        assert page.get_by_role("link", name="Download as PDF").is_visible()
        # The detail per level is folded below the summary, and opens from the keyboard.
        level = page.locator("details.story-level-detail").first
        assert level.evaluate("details => !details.open")
        level.locator("summary").focus()
        page.keyboard.press("Enter")
        assert level.evaluate("details => details.open")
