"""The chain editor in a real browser: the acceptance scenario, refusing a cycle, no JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from impact.extensions import db
from impact.toc import services as chain
from impact.toc.models import Link
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

STEPS = {  # level -> step title, in chain order
    "Activities": "Seminars on relationship-based practice",
    "Reach": "Social workers from three councils attend",
    "Practice change": "Teams use the practice guide",
}
ASSUMPTION = "Managers release staff to attend"
REVISION = "After the April workshop"


def _project_nav(page: Page):
    return page.get_by_role("navigation", name="Project")


def _quick_add(page: Page, level: str, title: str) -> None:
    page.get_by_label(f"New step in {level}", exact=True).fill(title)
    page.get_by_role("button", name=f"Add step to {level}", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Step “{title}” added to {level}.")
    level_section = page.get_by_role("region", name=level, exact=True)
    expect(level_section.get_by_role("link", name=title, exact=True)).to_be_visible()


def _box_titles(diagram) -> list[str]:
    """The titles the diagram's boxes show. Long titles wrap over several <tspan> lines, so
    each box's lines are rejoined; the box's <title> (its tooltip) must say the same."""
    boxes = diagram.locator("g.step").evaluate_all(
        """groups => groups.map(g => ({
            tooltip: g.querySelector('title').textContent,
            lines: Array.from(g.querySelectorAll('text tspan'), t => t.textContent),
        }))"""
    )
    titles = []
    for box in boxes:
        # Lines break at spaces or after hyphens: compare without the spaces.
        assert "".join(box["lines"]).replace(" ", "") == box["tooltip"].replace(" ", ""), box
        titles.append(box["tooltip"])
    return sorted(titles)


def _add_link(page: Page, source: str, target: str) -> None:
    """From the chain page, through "Add a link"; `source` and `target` are "Level: title" options."""
    page.get_by_role("link", name="Add a link", exact=True).click()
    expect(page.get_by_role("heading", name="Add a link", level=1)).to_be_visible()
    page.get_by_label("From step", exact=True).select_option(label=source)
    page.get_by_label("To step", exact=True).select_option(label=target)
    page.get_by_role("button", name="Add link", exact=True).click()


def test_team_member_builds_a_chain_and_saves_a_revision(page: Page, live_server):
    project = factories.project(title="Relationship-based practice")
    member = factories.user_with_role("team_member", project)
    project_id, project_title, email = project.id, project.title, member.email

    # Log in.
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your projects", level=1)).to_be_visible()

    # Open the project, then its theory of change.
    page.get_by_role("link", name=project_title, exact=True).click()
    expect(page.get_by_role("heading", name=project_title, level=1)).to_be_visible()
    _project_nav(page).get_by_role("link", name="Theory of change").click()
    expect(page.get_by_role("heading", name="Theory of change", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}/chain/"))

    # Three steps in three levels, through the per-level quick-add forms.
    for level, title in STEPS.items():
        _quick_add(page, level, title)
    expect(page.get_by_text("Diagram (3 steps, 0 links)")).to_be_visible()
    axe_check(page)

    # A link between the first two, then an assumption on it.
    source, target = STEPS["Activities"], STEPS["Reach"]
    _add_link(page, f"Activities: {source}", f"Reach: {target}")
    expect(page.get_by_role("status")).to_contain_text(f"Link added: {source} → {target}.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Link: {source} → {target}")
    axe_check(page)
    page.get_by_role("radio", name="Assumption", exact=True).check()
    page.get_by_label("Text", exact=True).fill(ASSUMPTION)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Assumption added.")
    assumptions = page.get_by_role("region", name="Assumptions", exact=True)
    expect(assumptions.get_by_role("listitem")).to_contain_text([ASSUMPTION])

    # Save a named revision.
    _project_nav(page).get_by_role("link", name="Revisions").click()
    expect(page.get_by_role("heading", name="Revisions of the theory of change", level=1)).to_be_visible()
    expect(page.get_by_text("No revisions saved yet.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Revision name", exact=True).fill(REVISION)
    page.get_by_role("button", name="Save revision").click()
    expect(page.get_by_role("status")).to_contain_text(f"Revision 1 “{REVISION}” saved.")
    expect(page.get_by_role("heading", name=f"Revision 1: {REVISION}", level=1)).to_be_visible()

    # The overview shows the diagram, coloured by the assessments (none yet): the three steps and one arrow.
    _project_nav(page).get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name=project_title, level=1)).to_be_visible()
    diagram = page.get_by_role("main").locator("svg.results-chain")
    expect(diagram).to_have_accessible_name(f"Results chain of {project_title}, coloured by progress and confidence")
    expect(diagram).to_be_visible()
    expect(diagram.locator("g.step")).to_have_count(3)
    assert _box_titles(diagram) == sorted(STEPS.values())
    arrows = diagram.locator("path.link[marker-end]")
    expect(arrows).to_have_count(1)
    expect(page.get_by_text(re.compile(r"^9 levels, 3 steps, 1 links?\.$"))).to_be_visible()
    axe_check(page)

    # A step page, reached from the diagram.
    diagram.get_by_role("link", name=STEPS["Reach"], exact=True).click()
    expect(page.get_by_role("heading", name=STEPS["Reach"], level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Leads here from").get_by_role("link")).to_have_text(f"{source} →")
    axe_check(page)

    # The revision is listed, and opens read-only.
    _project_nav(page).get_by_role("link", name="Revisions").click()
    saved = page.get_by_role("table", name="Saved revisions, newest first")
    expect(saved.get_by_role("row")).to_have_count(2)  # the header and revision 1
    axe_check(page)
    saved.get_by_role("link", name=REVISION, exact=True).click()
    expect(page.get_by_role("heading", name=f"Revision 1: {REVISION}", level=1)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_text("A read-only record of the theory of change")).to_be_visible()
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)
    snapshot = main.locator("svg.results-chain")
    expect(snapshot).to_have_accessible_name(f"Results chain, revision 1: {REVISION}")
    expect(snapshot.locator("g.step")).to_have_count(3)
    assert _box_titles(snapshot) == sorted(STEPS.values())
    expect(snapshot.locator("path.link")).to_have_count(1)
    expect(snapshot.locator("a")).to_have_count(0)  # the boxes of a revision link nowhere
    expect(main.get_by_text(f"→ {target}: assumption: {ASSUMPTION}")).to_be_visible()
    axe_check(page)

    # Compare the revision with the chain now: nothing has changed since.
    main.get_by_role("link", name="Compare with the chain now").click()
    expect(page.get_by_role("heading", name="What changed between two revisions", level=1)).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_have_value("1")
    expect(page.get_by_label("To", exact=True)).to_have_value("current")
    expect(page.get_by_text("No differences.")).to_be_visible()
    axe_check(page)


def _two_linked_steps():
    """A project with A (Activities) → B (Reach), and a team member to edit it."""
    project = factories.project()
    a = chain.add_step(project, factories.level(project, "Activities"), "Step A")
    b = chain.add_step(project, factories.level(project, "Reach"), "Step B")
    chain.add_link(project, a, b)
    db.session.commit()
    member = factories.user_with_role("team_member", project)
    return project.id, member.email


def _link_count(project_id: int) -> int:
    db.session.rollback()  # see the server's commits, not a stale snapshot
    return db.session.scalar(select(func.count()).select_from(Link).where(Link.project_id == project_id))


def test_a_link_that_would_close_a_loop_is_refused_next_to_the_field(page: Page, live_server):
    project_id, email = _two_linked_steps()
    log_in(page, email)
    page.goto(f"/projects/{project_id}/chain/")
    _add_link(page, "Reach: Step B", "Activities: Step A")

    expect(page.get_by_role("heading", name="Add a link", level=1)).to_be_visible()
    to_step = page.get_by_label("To step", exact=True)
    error = page.locator("#target_id-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("That link would make a loop")
    expect(to_step).to_have_attribute("aria-describedby", re.compile(r"(^|\s)target_id-error(\s|$)"))
    expect(to_step).to_have_attribute("aria-invalid", "true")
    expect(to_step).to_have_accessible_description(re.compile("That link would make a loop"))
    # "Next to" the field: in the same field group, right after the select.
    assert to_step.evaluate("el => el.closest('.field').contains(document.getElementById('target_id-error'))")
    expect(page.locator("#target_id ~ #target_id-error.error-message")).to_have_count(1)
    # The summary at the top points at the field.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct this:")
    expect(summary.get_by_role("link", name=re.compile("^To step: That link would make a loop"))).to_have_attribute(
        "href", "#target_id"
    )
    # What the user chose is kept.
    expect(page.get_by_label("From step", exact=True).locator("option:checked")).to_have_text("Reach: Step B")
    expect(page.get_by_label("To step", exact=True).locator("option:checked")).to_have_text("Activities: Step A")
    axe_check(page)
    assert _link_count(project_id) == 1


def test_the_editor_works_without_javascript(new_page, live_server):
    project = factories.project()
    member = factories.user_with_role("team_member", project)
    project_id, email = project.id, member.email
    page = new_page(java_script_enabled=False)

    log_in(page, email)
    page.goto(f"/projects/{project_id}/chain/")
    _quick_add(page, "Activities", "Workshops")
    _quick_add(page, "Outputs", "A practice guide")
    _add_link(page, "Activities: Workshops", "Outputs: A practice guide")
    expect(page.get_by_role("status")).to_contain_text("Link added: Workshops → A practice guide.")
    _project_nav(page).get_by_role("link", name="Theory of change").click()
    expect(page.get_by_text(re.compile(r"^Diagram \(2 steps, 1 links?\)$"))).to_be_visible()
    workshops = page.get_by_role("region", name="Activities", exact=True)
    expect(workshops.get_by_role("link", name="→ A practice guide")).to_be_visible()
    assert _link_count(project_id) == 1
