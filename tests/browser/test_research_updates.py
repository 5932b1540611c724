"""A practitioner-researcher sends an update from a phone: a quote and a photo, a handful of fields touched,
and the team finds it as evidence on the research project's steps."""
from __future__ import annotations

import pytest

from impact.extensions import db
from impact.projects.models import Membership, PartnerGroup, Role
from impact.research.models import ResearchProject
from impact.toc.services import load_chain
from tests import factories
from tests.browser.conftest import axe_check, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_update_from_a_phone_in_a_few_fields_is_evidence_on_the_steps(new_page, live_server, tmp_path):
    project = factories.chain_project()
    practice = next(step for step in load_chain(project.id).steps if step.title == "Reports written for the client")
    prp = ResearchProject(project_id=project.id, title="Carers' voices in assessments", local_authority="Council A")
    prp.steps = [practice]
    db.session.add(prp)
    practitioner = factories.user("Pat Practitioner")
    db.session.add(Membership(project_id=project.id, user_id=practitioner.id, role=Role.PRACTITIONER_RESEARCHER,
                              partner_group=PartnerGroup.PRACTITIONER))
    team = factories.user_with_role("team_member", project)
    db.session.commit()
    photo = tmp_path / "flipchart.png"
    photo.write_bytes(PNG)

    page = new_page(**PHONE)
    log_in(page, practitioner.email)
    page.goto(f"/projects/{project.id}/research/{prp.id}")
    page.get_by_role("link", name="Send an update").click()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    axe_check(page)
    touched = 0
    for label, text in (("What did you do?", "Ran the carers' session with my team."),
                        ("What changed?", "Carers now speak first in assessments."),
                        ("A quote you want to record (optional)", "For the first time they listened to me."),
                        ("Name to quote them under", "Carer, Council A")):
        page.get_by_label(label).fill(text)
        touched += 1
    page.get_by_label("In my team").check()
    page.get_by_label("I agree that these words may be quoted, under the name below").check()
    page.get_by_label("A file or photo (optional)").set_input_files(str(photo))
    touched += 3
    page.get_by_role("button", name="Submit update").click()
    touched += 1
    assert touched < 10
    page.get_by_text("Update submitted").wait_for()
    assert page.get_by_text("For the first time they listened to me.").is_visible()
    axe_check(page)

    desk = new_page()
    log_in(desk, team.email)
    desk.goto(f"/projects/{project.id}/chain/steps/{practice.id}")
    desk.get_by_role("link", name="Update (Carer, Council A): Carers' voices in assessments").first.click()
    assert desk.get_by_text("flipchart.png").first.is_visible()
    assert desk.get_by_text("Carers now speak first in assessments.", exact=False).first.is_visible()
    axe_check(desk)
