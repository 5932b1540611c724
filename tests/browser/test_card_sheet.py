"""The A5 sheet for the room prints as the sheet alone, on one A5 page."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from impact.events.models import EventKind
from impact.events.services import save_event
from impact.extensions import db
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser
A5_POINTS = (420, 595)


def test_the_card_sheet_prints_alone_on_one_a5_page(new_page, live_server):
    project = factories.chain_project()
    event = save_event(project, None, kind=EventKind.SEMINAR, title="First seminar", event_date=dt.date(2011, 3, 15),
                       place="Glasgow", notes="", attendance={})
    db.session.commit()
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, project.memberships[0].user.email)
    page.goto(f"/projects/{project.id}/events/{event.id}")
    page.get_by_role("link", name="Print the QR code on an A5 sheet").click()
    code = page.get_by_role("img", name="QR code that opens the card form", exact=False)
    expect(code).to_be_visible()
    axe_check(page)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".screen-only")).to_be_hidden()
    expect(code).to_be_visible()
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A5_POINTS
    text = printed.pages[0].extract_text()
    assert "Your action card" in text and f"/cards/{event.card_link_key}" in text.replace("\n", "")
