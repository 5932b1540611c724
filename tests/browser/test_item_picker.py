"""Picking a claim test's evidence item in a real browser: search, choose from the bounded list and add the
test, with JavaScript off (plain GET and POST forms), and the page with its note passes axe."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db
from impact.tracing.item_picker import CAP
from impact.tracing.models import Claim, ClaimTest
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_a_member_finds_an_item_chooses_it_and_adds_the_test(new_page, live_server, javascript):
    project = factories.chain_project()
    project.contribution_tracing = True
    member = factories.user_with_role("team_member", project)
    claim = Claim(project_id=project.id, statement="The seminars changed practice", prior=0.5)
    db.session.add(claim)
    db.session.add_all(EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title=f"Survey {n:02}",
                                    evidence_date=dt.date(2013, 5, 1)) for n in range(CAP + 3))
    db.session.commit()
    page = new_page(java_script_enabled=javascript)
    log_in(page, member.email)
    page.goto(f"/projects/{project.id}/tracing/claims/{claim.id}")
    page.get_by_label("Find an evidence item by its title").fill("survey")
    page.get_by_role("button", name="Find").click()
    note = page.locator("#item-picker-note")
    expect(note).to_have_text(f"Showing {CAP} of {CAP + 3} items matching “survey”; refine the search.")
    if javascript:  # axe runs in the page: not without JavaScript
        axe_check(page)
    page.get_by_label("Find an evidence item by its title").fill("survey 26")
    page.get_by_role("button", name="Find").click()
    expect(note).to_have_count(0)
    page.get_by_label("Evidence item (optional)").select_option(label="Survey 26")
    page.get_by_label("Evidence sought").fill("Practitioners quote the survey")
    page.get_by_label("Test type").select_option(label="Hoop test")
    page.get_by_label("Found", exact=True).check()
    page.get_by_role("button", name="Save test").click()
    expect(page.get_by_text("Item: Survey 26")).to_be_visible()
    db.session.expire_all()
    assert [test.item.title for test in db.session.query(ClaimTest).filter_by(claim_id=claim.id)] == ["Survey 26"]
