"""The story in layers on a phone without JavaScript: the summary first, each level folded and opened from
the keyboard, a link into a level landing open, every level on paper; a comparison's groups the same."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db
from impact.projects.models import PartnerGroup
from impact.story.services import save_snapshot
from impact.toc.services import load_chain
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}
QUOTE = "I now write my reports for the family."


def _as_rendered(checker: Page, page: Page) -> None:
    # axe.run never settles without JavaScript: check a copy of the page's HTML in a page with it.
    checker.set_content(page.content())
    axe_check(checker)


def _height(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")  # a plain read works without JS


def test_on_a_phone_without_javascript_the_story_opens_level_by_level(new_page, live_server):
    project = factories.chain_project()
    member = factories.user_with_role("team_member", project)
    steps = {step.title: step for step in load_chain(project.id).steps}
    seminars, practice = steps["Seminars"], steps["Reports written for the client"]
    save_snapshot(project, "Before the evidence", None)
    for step, title in ((seminars, "Seminar questionnaires"), (practice, "Impact meeting")):
        item = EvidenceItem(project_id=project.id, kind=EvidenceKind.MEETING_RECORD, title=title,
                            evidence_date=dt.date(2011, 6, 17), partner_group=PartnerGroup.PRACTITIONER, summary="",
                            quote=QUOTE, pseudonym="Practitioner 3", consent_to_quote=True)
        db.session.add(item)
        db.session.flush()
        db.session.add(EvidenceLink(item_id=item.id, step_id=step.id, stance=Stance.SUPPORTS, strength=Strength.STRONG))
    db.session.commit()
    story = f"/projects/{project.id}/story/"
    page, checker = new_page(java_script_enabled=False, **PHONE), new_page(**PHONE)
    log_in(page, member.email)
    checker.goto("/login")  # the copy's styles come from the same server

    page.goto(story)
    assert page.get_by_role("heading", name="In short").bounding_box()["y"] < 844  # on the first screen
    level = page.locator(f"#level-{seminars.level_id}-detail")
    expect(level.locator("summary")).to_contain_text("1 step; progress: 1 not assessed")
    expect(level.locator("summary")).to_contain_text("evidence on its steps: 1 for, 0 against")
    expect(page.locator(f"#step-{seminars.id}")).to_be_hidden()  # folded
    folded = _height(page)
    _as_rendered(checker, page)

    level.locator("summary").focus()
    page.keyboard.press("Enter")  # a disclosure: opened from the keyboard, no script
    expect(level).to_contain_text("Seminars: progress not assessed")  # in brief: the steps, not their evidence
    assert _height(page) > folded
    level.get_by_role("link", name="The evidence for 1 step and their links").click()
    step = page.locator(f"#step-{seminars.id}")
    expect(step).to_be_visible()
    expect(step).to_contain_text(QUOTE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    _as_rendered(checker, page)

    # A link to a step (as from a practitioner's update) lands on it, its level open.
    page.goto(f"{story}?level={practice.level_id}#step-{practice.id}")
    expect(page.locator(f"#step-{practice.id}")).to_be_visible()
    expect(page.locator(f"#step-{seminars.id}")).to_be_hidden()
    # On paper every level opened is open (the page with every level open prints the whole story).
    page.goto(f"{story}?open=all")
    page.emulate_media(media="print")
    expect(page.locator(f"#step-{seminars.id}")).to_be_visible()
    page.emulate_media(media="screen")

    # Comparing with the snapshot: one line of totals, then groups folded to their heading and count.
    page.goto(f"/projects/{project.id}/story/compare?old=1&new=current")
    expect(page.locator(".diff-total")).to_have_text("2 changes: 2 evidence links added.")
    group = page.locator(f"#diff-{seminars.level_id}-evidence-added")
    expect(group.locator("summary")).to_have_text("Evidence links added (1)")
    entry = group.get_by_text("Seminar questionnaires")
    expect(entry).to_be_hidden()
    group.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(entry).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    _as_rendered(checker, page)
