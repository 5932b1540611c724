"""Action cards and emailed follow-ups in a real browser: paper entry by keyboard, a phone without JavaScript."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from impact.cards import services as cards
from impact.cards.models import CardSource
from impact.events.models import EventKind
from impact.events.services import save_event
from impact.evidence.models import EvidenceItem
from impact.extensions import db
from impact.followups import services as followups
from impact.followups.models import ActionProgress, Campaign, Progress, Response
from impact.mail.models import OutboxMessage
from impact.projects.models import PartnerGroup
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

EVENT = "Spring seminar"
# (email, name, organisation, key that picks the partner group, the group's label, actions)
CARDS = [
    ("ann@council-a.gov.uk", "Ann", "Council A", "p", "Practitioner", ["Write reports for the family", "Ask families"]),
    ("bob@council-b.gov.uk", "", "", "m", "Manager", ["Give findings time in team meetings"]),
    ("cat@uni.ac.uk", "Cat", "University", "a", "Academic", ["Run a follow-up seminar", "Share the guide", "Blog"]),
    ("dan@carers.org.uk", "Dan", "", "c", "Carer", ["Tell the carers' group"]),
    ("eve@council-a.gov.uk", "Eve", "Council A", "s", "Service user", ["Ask my social worker about the plan"]),
]
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True}


def _event(project):
    event = save_event(project, None, kind=EventKind.SEMINAR, title=EVENT, event_date=dt.date(2011, 3, 15),
                       place="Glasgow", notes="", attendance={PartnerGroup.PRACTITIONER: 20})
    db.session.commit()
    return event


class _Keys:
    """Counts the keys pressed, to put the browser's time per card next to a typist's."""

    def __init__(self, page: Page):
        self.page, self.count = page, 0

    def type(self, text: str) -> None:
        self.count += len(text)
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)


def _active_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id")


def _tab_to(keys: _Keys, target: str, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the element with this id has focus."""
    for _ in range(12):
        keys.press(key)
        if _active_id(keys.page) == target:
            return
    raise AssertionError(f"{key} never reached {target!r}; focus is on {_active_id(keys.page)!r}")


def _type_card(keys: _Keys, email, name, organisation, group_key, group, actions, *, via_button: bool) -> None:
    """One card, keyboard only, starting in the focused Email field."""
    page = keys.page
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    keys.type(email)
    for value in (name, organisation):
        keys.press("Tab")
        keys.type(value)
    keys.press("Tab")
    assert _active_id(page) == "partner_group"
    keys.press(group_key)  # type-ahead on the closed select
    expect(page.get_by_label("Partner group", exact=True).locator("option:checked")).to_have_text(group)
    for text in actions:
        keys.press("Tab")
        keys.type(text)
    if via_button:  # on to the buttons: "Save and add another" comes first
        _tab_to(keys, "save_and_add")
        expect(page.get_by_role("button", name="Save and add another")).to_be_focused()
    else:  # back up to a one-line field: Enter there means the default button
        _tab_to(keys, "organisation", "Shift+Tab")
    keys.press("Enter")


def test_team_member_enters_paper_cards_with_the_keyboard_only(page: Page, live_server):
    project = factories.chain_project()
    member = factories.user_with_role("team_member", project)
    event = _event(project)
    project_id, event_id, email = project.id, event.id, member.email

    log_in(page, email)
    page.goto(f"/projects/{project_id}/events/{event_id}")
    expect(page.get_by_role("heading", name=EVENT, level=1)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Enter cards from paper").click()
    expect(page.get_by_role("heading", name="Enter a card from paper", level=1)).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    axe_check(page)

    keys = _Keys(page)
    started = time.perf_counter()
    for number, card in enumerate(CARDS, start=1):
        _type_card(keys, *card, via_button=number % 2 == 1)
        expect(page.get_by_role("status")).to_have_text(
            f"Card for {card[0]} saved. {number} card{'s' if number != 1 else ''} for this event.")
        expect(page.get_by_role("heading", name="Enter a card from paper", level=1)).to_be_visible()
        expect(page.get_by_label("Email", exact=True)).to_be_focused()
        expect(page.get_by_label("Email", exact=True)).to_have_value("")
        # The next card starts in the group of the last one.
        expect(page.get_by_label("Partner group", exact=True).locator("option:checked")).to_have_text(card[4])
    seconds = time.perf_counter() - started
    print(f"\n{len(CARDS)} cards in {seconds:.1f} s: {seconds / len(CARDS):.2f} s per card in the browser, "
          f"{keys.count / len(CARDS):.0f} keys per card (target: 26 cards in ten minutes, {600 / 26:.1f} s per card)")

    # The same person again, the email typed differently: refused (nothing replaced), with a way to
    # the card already saved, and what was typed kept for correcting.
    _type_card(keys, "ANN@Council-A.gov.uk", "Ann", "Council A", "p", "Practitioner",
               ["Write every report for the family"], via_button=False)
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    existing = re.compile("Open the card already saved for ann@council-a.gov.uk")
    expect(page.get_by_role("link", name=existing)).to_be_visible()
    expect(page.get_by_label("Action 1", exact=True)).to_have_value("Write every report for the family")
    axe_check(page)

    # All five, with their actions, from the event page.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=EVENT).click()
    page.get_by_role("link", name="All cards", exact=True).click()
    expect(page.get_by_role("heading", name="Action cards (5)", level=1)).to_be_visible()
    table = page.get_by_role("table", name=f"Action cards from {EVENT}")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)
    for address, _, _, _, group, actions in CARDS:
        row = rows.filter(has_text=address)
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell", name=group, exact=True)).to_be_visible()
        expect(row.get_by_role("listitem")).to_have_text(actions)
    axe_check(page)


def _submit_bad_card(page: Page) -> object:
    """Log in, open an empty card form, type a malformed email and no action, press Enter."""
    project = factories.chain_project()
    member = factories.user_with_role("team_member", project)
    event = _event(project)
    log_in(page, member.email)
    page.goto(f"/projects/{project.id}/events/{event.id}/cards/new")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()  # keys typed before autofocus are lost
    page.keyboard.type("ann at council")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enter a card from paper", level=1)).to_be_visible()
    return event


def _expect_error(page: Page, field_id: str, message: str) -> None:
    """The error is next to the field, tied to it, and linked from the summary."""
    control, error = page.locator(f"#{field_id}"), page.locator(f"#{field_id}-error")
    expect(error).to_have_text(f"Error: {message}")
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_accessible_description(re.compile(re.escape(message)))
    assert control.evaluate(f"el => el.closest('.field').contains(document.getElementById('{field_id}-error'))")
    link = page.get_by_role("alert").get_by_role("link", name=re.compile(re.escape(message)))
    expect(link).to_have_attribute("href", f"#{field_id}")
    # Reachable by keyboard, and it takes you to the field.
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#{field_id}$"))
    expect(control).to_be_focused()


def test_the_card_form_shows_its_errors_next_to_the_fields_and_in_the_summary(page: Page, live_server):
    event = _submit_bad_card(page)
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", level=2)).to_have_text(re.compile(r"^Please correct (this|these):$"))
    _expect_error(page, "email",
                  "Enter an email address like name@council.gov.uk. An email address must have an @-sign.")
    for href in summary.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        expect(page.locator(href)).to_have_count(1)  # every summary link has a target
    expect(page.get_by_label("Email", exact=True)).to_have_value("ann at council")  # what was typed is kept
    axe_check(page)
    db.session.rollback()
    assert cards.card_count(event) == 0


def test_a_card_without_any_action_is_refused(page: Page, live_server):
    _submit_bad_card(page)
    assert page.locator("#action_1-error").count() == 1  # fail at once rather than wait for the message
    _expect_error(page, "action_1", "Write at least one action.")


def _sent_followup(live_server) -> tuple[str, list[str]]:
    """An event, one card with three actions, a follow-up sent: (the personal link, the actions)."""
    project = factories.chain_project()
    event = _event(project)
    actions = ["Write reports for the family", "Ask families what helps", "Share the practice guide"]
    cards.save_card(event, cards.CardData(email="ann@council-a.gov.uk", name="Ann", actions=actions,
                                          partner_group=PartnerGroup.PRACTITIONER), CardSource.PAPER)
    now = dt.datetime.now(dt.UTC)
    campaign = followups.save_campaign(event, None, subject="How did your actions go?",
                                       message="At {event} you wrote down some actions.", reminder_message="",
                                       send_at=now, reminder_at=None, closes_at=now + dt.timedelta(days=30))
    assert followups.send_campaign(campaign) == 1
    db.session.commit()
    body = factories.email_text(db.session.scalar(select(OutboxMessage)))
    link = re.search(r"(https?://\S+/followup/[^\s/]+)\s", body).group(1)
    path = re.sub(r"^https?://[^/]+", "", link)
    assert link == live_server.app.config["BASE_URL"] + path
    return live_server.url + path, actions


def _check_as_rendered(checker: Page, page: Page) -> None:
    """No sideways scrolling at 375px, and axe, on what the JavaScript-less `page` shows.

    axe.run never settles in a page without JavaScript, so for axe the page's HTML is copied
    into `checker`, a JavaScript-enabled page of the same size already on the same address.
    """
    width = page.evaluate("() => document.documentElement.scrollWidth")  # a plain read works without JS
    assert width <= 375, f"{page.url} scrolls sideways at 375px: {width}px wide"
    checker.set_content(page.content())
    axe_check(checker)


def _progress(page: Page, number: int):
    return page.get_by_role("group", name=f"How much progress have you made with action {number}?")


def test_respondent_answers_on_a_phone_without_javascript(new_page, live_server):
    link, actions = _sent_followup(live_server)
    page = new_page(java_script_enabled=False, **PHONE)
    checker = new_page(**PHONE)
    checker.goto(link)

    page.goto(link)
    expect(page.get_by_role("heading", name="How did your actions go?", level=1)).to_be_visible()
    for number, text in enumerate(actions, start=1):
        section = page.get_by_role("region", name=f"Action {number}", exact=True)
        expect(section.locator("blockquote")).to_have_text(text)
        expect(_progress(page, number).get_by_role("radio")).to_have_count(5)
    _check_as_rendered(checker, page)

    # Sent empty: each action says what is missing, right by its progress question.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct these:")
    for number in range(1, 4):
        section = page.get_by_role("region", name=f"Action {number}", exact=True)
        expect(section.locator(".error-message")).to_have_text("Error: Choose how much progress you made.")
        expect(_progress(page, number)).to_have_accessible_description(re.compile("Choose how much progress"))
    for href in page.get_by_role("alert").get_by_role("link").evaluate_all("a => a.map(x => x.getAttribute('href'))"):
        expect(page.locator(href)).to_have_count(1)
    _check_as_rendered(checker, page)

    for number, label in enumerate(["Some", "Done", "None"], start=1):
        _progress(page, number).get_by_label(label, exact=True).check()
    page.get_by_label("What helped? (optional)").first.fill("My manager backed it")
    page.get_by_label("What got in the way, overall? (optional)").fill("Caseloads")
    page.get_by_label("You may quote my words, under the name shown above").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: your answers are saved.")
    _check_as_rendered(checker, page)

    # Back through the link: the answers are kept and can be changed.
    page.goto(link)
    expect(page.get_by_text("You have already answered.")).to_be_visible()
    for number, label in enumerate(["Some", "Done", "None"], start=1):
        expect(_progress(page, number).get_by_label(label, exact=True)).to_be_checked()
    expect(page.get_by_label("What helped? (optional)").first).to_have_value("My manager backed it")
    expect(page.get_by_label("You may quote my words, under the name shown above")).to_be_checked()
    _progress(page, 3).get_by_label("A little", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: your answers are saved.")

    db.session.rollback()  # see the server's commits
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 1
    response = db.session.scalar(select(Response))
    assert response.consent_to_quote
    progress = db.session.scalars(select(ActionProgress.progress).order_by(ActionProgress.action_id)).all()
    assert progress == [Progress.SOME, Progress.DONE, Progress.A_LITTLE]


def test_tampered_expired_and_closed_links_have_an_accessible_page(new_page, live_server):
    link, _ = _sent_followup(live_server)
    page = new_page(**PHONE)

    page.goto(link[:-3] + ("xyz" if not link.endswith("xyz") else "abc"))
    expect(page.get_by_role("heading", name="This link does not work", level=1)).to_be_visible()
    axe_check(page)

    live_server.app.config["FOLLOWUP_LINK_MAX_AGE_DAYS"] = -1
    try:
        page.goto(link)
        expect(page.get_by_role("heading", name="This link has expired", level=1)).to_be_visible()
    finally:
        live_server.app.config.pop("FOLLOWUP_LINK_MAX_AGE_DAYS")
    axe_check(page)

    followups.close_campaign(db.session.scalar(select(Campaign)))
    db.session.commit()
    # A fresh page: Chromium would serve the same link's 410 "expired" page from its disk cache
    # (410 is cacheable by default and the page sends no Cache-Control).
    page = new_page(**PHONE)
    page.goto(link)
    expect(page.get_by_role("heading", name="This follow-up has closed", level=1)).to_be_visible()
    axe_check(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
