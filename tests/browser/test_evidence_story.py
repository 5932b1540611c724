"""Evidence to story in a real browser: link an item to a step, assess the step, read the story."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db
from impact.projects.models import PartnerGroup
from impact.toc.services import load_chain
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

STEP = "Reports written for the client"
ITEM = "Impact meeting three months after the projects"
QUOTE = "I now write my reports for the family, not for the panel."


def _project_with_an_item():
    project = factories.chain_project()
    member = factories.user_with_role("team_member", project)
    db.session.add(EvidenceItem(
        project_id=project.id, kind=EvidenceKind.MEETING_RECORD, title=ITEM, evidence_date=dt.date(2011, 6, 17),
        source="Audio recording and notes", partner_group=PartnerGroup.PRACTITIONER,
        summary="Five practitioners reported impacts of their projects.", quote=QUOTE, pseudonym="Practitioner 3",
        consent_to_quote=True,
    ))
    db.session.commit()
    step_id = next(step.id for step in load_chain(project.id).steps if step.title == STEP)
    return project, member, step_id


def test_linking_evidence_and_assessing_a_step_updates_the_story(page: Page, live_server):
    project, member, step_id = _project_with_an_item()
    log_in(page, member.email)

    # The story before: the step is not assessed and has no evidence.
    page.goto(f"/projects/{project.id}/story/?open=all")
    step_article = page.locator(f"#step-{step_id}")
    expect(step_article).to_contain_text("Not assessed")
    expect(step_article).not_to_contain_text(ITEM)

    # Link the item to the step from the evidence library.
    page.goto(f"/projects/{project.id}/evidence/")
    axe_check(page)
    page.get_by_role("link", name=ITEM).click()
    page.get_by_label("Part of the chain").select_option(label=STEP)
    page.get_by_label("Stance").select_option("supports")
    page.get_by_label("Strength").select_option("strong")
    page.get_by_label("Note (optional)").fill("Practitioners describe writing reports differently.")
    page.get_by_role("button", name="Add link").click()
    expect(page.locator("#links")).to_contain_text(STEP)
    axe_check(page)

    # The step's page lists it as evidence for the step; assess the step from there.
    page.get_by_role("link", name=STEP).first.click()
    expect(page.get_by_role("heading", name=STEP, level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(ITEM)
    axe_check(page)
    page.get_by_role("link", name="Assess this step").click()
    page.get_by_label("Some", exact=True).check()
    page.get_by_label("Medium", exact=True).check()
    page.get_by_label("Rationale").fill("Three of five practitioners gave concrete examples.")
    page.get_by_label("Alternative explanations considered").fill("The Munro review came out at the same time.")
    axe_check(page)
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator("main")).to_contain_text("Three of five practitioners gave concrete examples.")

    # The story now shows the assessment, the evidence and the consented quote, and colours the box.
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Contribution story").click()
    page.get_by_role("link", name="Open every level").click()  # each level is in brief until opened
    step_article = page.locator(f"#step-{step_id}")
    expect(step_article).to_contain_text("Some")
    expect(step_article).to_contain_text("Medium")
    expect(step_article).to_contain_text(ITEM)
    expect(step_article).to_contain_text(QUOTE)
    expect(step_article).to_contain_text("Practitioner 3")
    box = page.locator(f"svg g.step[data-step-id='{step_id}']")
    expect(box).to_have_attribute("data-progress", "some")
    expect(box).to_have_attribute("data-confidence", "medium")
    axe_check(page)

    # The gaps page no longer lists the step among those without evidence.
    page.goto(f"/projects/{project.id}/story/gaps")
    expect(page.locator("main")).to_be_visible()
    axe_check(page)
