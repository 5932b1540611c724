"""A project's tabs grouped by the work (plan, collect, assess, report); on a phone, without
JavaScript, one disclosure that keeps the page's own content near the top."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}


def _as_rendered(checker: Page, page: Page) -> None:
    # axe.run never settles without JavaScript: check a copy of the page's HTML in a page with it.
    checker.set_content(page.content())
    axe_check(checker)


def test_on_a_phone_without_javascript_the_tabs_fold_into_one_menu(new_page, live_server):
    project = factories.chain_project()
    lead = project.memberships[0].user
    page, checker = new_page(java_script_enabled=False, **PHONE), new_page(**PHONE)
    log_in(page, lead.email)
    page.goto(f"/projects/{project.id}")
    checker.goto(f"/projects/{project.id}")

    nav = page.get_by_role("navigation", name="Project")
    menu = nav.locator("summary", has_text="Project menu")
    expect(menu).to_be_visible()
    expect(nav.get_by_role("link", name="Theory of change")).to_be_hidden()  # folded
    heading_top = page.get_by_role("heading", level=1).bounding_box()["y"]
    assert heading_top < 220, f"the page's heading starts {heading_top:.0f}px down"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    _as_rendered(checker, page)

    menu.focus()
    page.keyboard.press("Enter")  # a disclosure: opened from the keyboard, no script
    plan = nav.locator(".project-menu .nav-group", has_text="Plan")
    expect(plan.get_by_role("link", name="Theory of change")).to_be_visible()
    collect = nav.locator(".project-menu .nav-group", has_text="Collect")
    for tab in ("Events and action cards", "Follow-ups", "Evidence"):
        expect(collect.get_by_role("link", name=tab, exact=True)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    _as_rendered(checker, page)
    collect.get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", name="Follow-ups", level=1)).to_be_visible()


def test_on_a_desktop_the_groups_are_labelled_and_each_shows_what_the_viewer_may_open(new_page, live_server):
    project = factories.chain_project()
    funder = factories.user_with_role("funder", project)
    lead = project.memberships[0].user
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, lead.email)
    page.goto(f"/projects/{project.id}")
    tabs = page.locator(".project-tabs")
    expect(page.locator("summary", has_text="Project menu")).to_be_hidden()
    for label, tab in (("Plan", "Revisions"), ("Collect", "Follow-ups"), ("Assess", "What evidence is missing"),
                       ("Report", "Published reports")):
        group = tabs.get_by_role("list", name=label)
        expect(group.get_by_role("link", name=tab, exact=True)).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Log out").click()
    log_in(page, funder.email)
    page.goto(f"/projects/{project.id}/reports/")
    expect(tabs.get_by_role("link", name="Published reports")).to_be_visible()
    expect(tabs.get_by_role("link", name="Follow-ups")).to_have_count(0)
    expect(tabs.get_by_role("link", name="Members")).to_have_count(0)
