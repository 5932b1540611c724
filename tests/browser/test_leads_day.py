"""A lead's day from the project home: a failed send and an answer to code are on the dashboard; the
lead codes the answer from the queue, assesses a step beside its evidence, is warned by the project's
own evidence standard, and the dashboard has moved on. Every page on the way passes axe, on a desktop
and on a 390 px phone, with JavaScript on and off."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card
from impact.coding.models import FactorTheme
from impact.coding.services import add_default_themes
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.followups.models import FollowUp, Progress
from impact.followups.services import save_campaign, save_response, send_campaign
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.toc.models import Step
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}


def _a_day_of_work(project) -> Step:
    """An event's cards followed up: Ann answered (uncoded), Bob's email failed; one source on Seminars."""
    event = save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2011, 3, 15),
                       place="", notes="", attendance={PartnerGroup.PRACTITIONER: 20})
    ann, _ = save_card(event, CardData("ann@council.gov.uk", ["Write for the family"], name="Ann",
                                       partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)
    save_card(event, CardData("bob@council.gov.uk", ["Ask what helps"], name="Bob"), CardSource.PAPER)
    now = utcnow()
    campaign = save_campaign(event, None, subject="How did it go?", message="Tell us", reminder_message="",
                             send_at=now, reminder_at=None, closes_at=now + dt.timedelta(days=30))
    send_campaign(campaign)
    followup = _db.session.scalar(select(FollowUp).where(FollowUp.card_id == ann.id))
    save_response(followup, progress={ann.actions[0].id: (Progress.SOME, "", "")},
                  helped="My manager protected the time", hindered="", anything_else="", consent_to_quote=False,
                  pseudonym="")
    _db.session.execute(update(OutboxMessage).where(OutboxMessage.to_address == "bob@council.gov.uk")
                        .values(status=OutboxStatus.FAILED))
    add_default_themes(project)
    seminars = _db.session.scalar(select(Step).where(Step.project_id == project.id, Step.title == "Seminars"))
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.DOCUMENT, title="Seminar attendance register",
                        evidence_date=dt.date(2011, 3, 15), partner_group=PartnerGroup.ACADEMIC)
    _db.session.add(item)
    _db.session.flush()
    _db.session.add(EvidenceLink(item_id=item.id, step_id=seminars.id, stance=Stance.SUPPORTS,
                                 strength=Strength.STRONG))
    _db.session.commit()
    return seminars


def _checked_without_javascript(new_page, email: str, paths: list[str]) -> None:
    """The pages again on a phone with JavaScript off: no sideways scroll, and axe passes on what it shows."""
    page, checker = new_page(java_script_enabled=False, **PHONE), new_page(**PHONE)
    log_in(page, email)
    for path in paths:
        page.goto(path)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
        checker.goto(path)  # same origin, so the copy below gets the app's styles
        checker.set_content(page.content())  # axe needs a script: check the same HTML where one runs
        axe_check(checker)


def test_a_leads_day_from_the_dashboard(new_page, live_server):
    project = factories.chain_project()
    lead = project.memberships[0].user
    seminars = _a_day_of_work(project)
    home = f"/projects/{project.id}"
    page: Page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, lead.email)
    page.goto(home)
    step5 = page.locator(".mayne-step", has=page.get_by_role("heading", name="Seek out more evidence"))
    expect(step5).to_contain_text("Needs attention: 1 follow-up email could not be sent.")
    expect(step5).to_contain_text("1 answer not yet coded (0 coded).")
    step4 = page.locator(".mayne-step", has=page.get_by_role("heading", name="Assess the contribution story"))
    expect(step4).to_contain_text("0 of 3 steps and 0 of 3 links assessed.")
    axe_check(page)

    # Code the answer from the queue, without opening it.
    step5.get_by_role("link", name="Code the answers").click()
    expect(page.get_by_role("heading", name="Code the answers", level=1)).to_be_visible()
    answer = page.locator(".coding-item", has_text="My manager protected the time")
    axe_check(page)
    answer.get_by_role("group", name="What helped").get_by_label("Senior buy-in and champions").check()
    answer.get_by_role("button", name="Save the coding").click()
    expect(page.get_by_text("Coding saved. 0 answers and 0 updates left to code.")).to_be_visible()
    expect(page.get_by_text("Nothing left to code: every answer")).to_be_visible()
    expect(page.get_by_role("link", name="1 helping: Senior buy-in and champions")).to_be_visible()

    # Assess a step beside its evidence; medium confidence needs two sources, Seminars has one.
    page.goto(home)
    step4.get_by_role("link", name="3 steps not yet assessed.").click()
    page.get_by_role("link", name="Assess Seminars", exact=True).click()
    expect(page.get_by_text("Seminar attendance register").first).to_be_visible()  # the evidence, beside the form
    axe_check(page)
    page.get_by_label("Some", exact=True).check()
    page.get_by_label("Medium", exact=True).check()
    page.get_by_label("Rationale", exact=False).first.fill("The register shows the seminars ran.")
    page.get_by_role("button", name="Save", exact=False).first.click()
    expect(page.get_by_text("Medium needs 2 sources or more for it; this step has 1.").first).to_be_visible()

    # The dashboard has moved on.
    page.goto(home)
    expect(step5).to_contain_text("Every answer and update is coded (1).")
    expect(step4).to_contain_text("1 of 3 steps and 0 of 3 links assessed.")
    expect(step4).to_contain_text("2 steps not yet assessed.")
    axe_check(page)
    row = page.locator("table", has=page.get_by_text("Steps by progress, per level")).locator(
        "tr", has=page.get_by_role("rowheader", name="Activities"))
    expect(row).to_contain_text("1")

    # The same pages on a phone: with JavaScript on, then off.
    buy_in = _db.session.scalar(select(FactorTheme.id).where(FactorTheme.project_id == project.id,
                                                             FactorTheme.name == "Senior buy-in and champions"))
    paths = [home, f"/projects/{project.id}/coding", f"/projects/{project.id}/coding/themes/{buy_in}",
             f"/projects/{project.id}/assessment/steps/{seminars.id}"]
    phone = new_page(**PHONE)
    log_in(phone, lead.email)
    for path in paths:
        phone.goto(path)
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390, path
        axe_check(phone)
    _checked_without_javascript(new_page, lead.email, paths)
