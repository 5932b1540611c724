"""On a phone (and at 200% zoom) wide tables scroll in their own box, reachable by keyboard,
and the page itself does not scroll sideways, with JavaScript or without."""
from __future__ import annotations

import datetime as dt

import pytest

from impact.evidence.models import EvidenceItem, EvidenceKind
from impact.extensions import db
from impact.projects.models import PartnerGroup
from tests import factories
from tests.browser.conftest import axe_check, log_in
from tests.browser.test_every_page import viewers
from tests.test_permissions import furnish, world

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


# The innermost elements reaching past the viewport's right edge, not clipped by a box of their own, to name
# in a failure.
_OVERFLOWING = """() => {
  const past = e => e.getBoundingClientRect().right > innerWidth + 1;
  const clipped = e => {
    for (let box = e.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible" && !past(box)) return true;
    }
    return false;
  };
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className ? "." + e.className.trim().replace(/ +/g, ".") : "");
  const leaves = [...document.querySelectorAll("body *")].filter(e => past(e) && ![...e.children].some(past));
  const unclipped = leaves.filter(e => !clipped(e));  // an absolutely placed one may escape its box: all then
  return (unclipped.length ? unclipped : leaves).slice(0, 4)
    .map(e => `${name(e.parentElement)} > ${name(e)} (${Math.round(e.getBoundingClientRect().right)} px)`);
}"""


def test_no_page_is_wider_than_a_phone_without_javascript(new_page, live_server, project):
    furnish(project)
    who = viewers(project)
    ids = world(project)
    too_wide, checked = [], 0
    for email, cases in who:
        page = new_page(java_script_enabled=False, **PHONE)
        if email is not None:
            log_in(page, email)
        for case in cases:
            path = case.path.format(**ids)
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            checked += 1
            if (width := _page_width(page)) > 390:
                too_wide.append(f"{path}: {width} px, past the edge: {', '.join(page.evaluate(_OVERFLOWING))}")
    assert checked > 60
    assert not too_wide, "Pages wider than 390 px without JavaScript:\n" + "\n".join(too_wide)


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
