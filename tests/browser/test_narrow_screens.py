"""On a phone (and at 200% zoom) wide tables scroll in their own box, reachable by keyboard,
and the page itself does not scroll sideways."""
from __future__ import annotations

import datetime as dt

import pytest

from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db
from impact.projects.models import PartnerGroup
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", ["/evidence/", "/assessment/"])
def test_wide_tables_scroll_in_a_focusable_box_not_the_page(new_page, live_server, path):
    project = factories.chain_project()
    member = factories.user_with_role("team_member", project)
    db.session.add(EvidenceItem(
        project_id=project.id, kind=EvidenceKind.MEETING_RECORD, title="Impact meeting three months after the PRPs",
        evidence_date=dt.date(2011, 6, 17), source="Audio recording and notes of the meeting",
        partner_group=PartnerGroup.PRACTITIONER, summary="Five practitioners reported impacts."))
    db.session.commit()
    page = new_page(**PHONE)
    log_in(page, member.email)
    page.goto(f"/projects/{project.id}{path}")

    assert _page_width(page) <= 390
    box = page.locator(".table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table is wider than the phone...
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    box.focus()
    page.keyboard.press("ArrowRight")  # ...and the keyboard scrolls it
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    axe_check(page)

    # Wide again (a desktop window): the box stops being a tab stop.
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_function("() => !document.querySelector('.table-scroll[tabindex]')")
