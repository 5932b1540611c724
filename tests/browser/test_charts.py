"""The claim page's Plotly charts in a real browser: drawn from the app's own copy of Plotly under the
strict Content-Security-Policy (the page fixture fails on any console error, CSP refusals included),
fetched only when the reader opens a chart, accessible, and not missed without JavaScript."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from impact.extensions import db
from impact.tracing.models import Claim, ClaimTest, TestType
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser


def _claim():
    project = factories.chain_project()
    project.contribution_tracing = True
    member = factories.user_with_role("team_member", project)
    claim = Claim(project_id=project.id, statement="The seminars changed practice", prior=0.5)
    claim.tests = [
        ClaimTest(description="Practitioners quote the seminar", test_type=TestType.SMOKING_GUN, sensitivity=0.3,
                  type_one_error=0.02, found=True, position=0),
        ClaimTest(description="Managers notice a change", test_type=TestType.HOOP, sensitivity=0.95,
                  type_one_error=0.6, found=True, position=1),
    ]
    db.session.add(claim)
    db.session.commit()
    return project, member, claim


def _plotly_requests(page) -> list[str]:
    return page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)"
                         ".filter(name => name.endsWith('/plotly.min.js'))")


def test_the_claim_page_draws_both_charts_under_the_strict_policy_when_they_are_opened(page, live_server):
    project, member, claim = _claim()
    log_in(page, member.email)
    page.goto(f"/projects/{project.id}/tracing/claims/{claim.id}")
    show = page.get_by_role("button", name="Show the chart")
    expect(show).to_have_count(2)
    assert _plotly_requests(page) == []  # 1.4 MB not fetched for a reader who reads the tables
    expect(page.locator("#confidence-path")).to_be_hidden()
    axe_check(page)

    show.first.click()
    path = page.locator("#confidence-path")
    expect(path.locator("svg.main-svg").first).to_be_visible()
    assert path.bounding_box()["height"] >= 300
    expect(page.locator("#confidence-path .scatterlayer .point")).to_have_count(3)  # prior, two tests
    expect(page.get_by_role("button", name="Hide the chart")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#prior-curve")).to_be_hidden()  # each chart opens on its own
    page.get_by_role("button", name="Show the chart").click()
    expect(page.locator("#prior-curve .scatterlayer .trace")).to_have_count(3)
    assert len(_plotly_requests(page)) == 1  # fetched once for both
    expect(path).to_have_attribute("role", "img")
    axe_check(page)

    page.get_by_role("button", name="Hide the chart").first.click()
    expect(path).to_be_hidden()
    expect(page.locator("#prior-curve svg.main-svg").first).to_be_visible()


def test_once_a_reader_has_opened_a_chart_later_pages_draw_theirs_at_once(page, live_server):
    project, member, claim = _claim()
    log_in(page, member.email)
    url = f"/projects/{project.id}/tracing/claims/{claim.id}"
    page.goto(url)
    page.get_by_role("button", name="Show the chart").first.click()
    expect(page.locator("#confidence-path svg.main-svg").first).to_be_visible()

    page.goto(url)
    expect(page.locator("#confidence-path svg.main-svg").first).to_be_visible()
    expect(page.locator("#prior-curve svg.main-svg").first).to_be_visible()
    expect(page.get_by_role("button", name="Hide the chart")).to_have_count(2)
    # Hiding one says "ask me again": the next visit shows buttons only.
    page.get_by_role("button", name="Hide the chart").first.click()
    page.goto(url)
    expect(page.get_by_role("button", name="Show the chart")).to_have_count(2)
    expect(page.locator("#confidence-path")).to_be_hidden()


def test_without_javascript_the_tables_carry_the_figures_and_no_empty_box_is_left(new_page, live_server):
    project, member, claim = _claim()
    page = new_page(java_script_enabled=False)
    log_in(page, member.email)
    page.goto(f"/projects/{project.id}/tracing/claims/{claim.id}")
    assert page.locator("#confidence-path").bounding_box()["height"] == 0
    expect(page.get_by_role("button", name="Show the chart")).to_have_count(0)
    expect(page.get_by_role("table", name="Evidence tests in order, with the update each makes")).to_contain_text(
        "50% → 94%")
    expect(page.get_by_role("table", name="Posterior confidence for each prior")).to_contain_text(
        "50% (this claim's prior)")
    expect(page.locator("#conclusion")).to_contain_text("from 50% to 96%")
