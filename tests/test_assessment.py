"""Assessing steps and links: revisions, history, simultaneous saves, evidence standards."""
from __future__ import annotations

import re

from sqlalchemy import event, select

from impact.assessment.models import (
    Assessment,
    AssumptionState,
    AssumptionStatus,
    Confidence,
    EvidenceStandard,
    ProgressRating,
)
from impact.assessment.queries import DEFAULT_STANDARDS
from impact.assessment.services import AssessmentValues, save_assessment
from impact.extensions import db as _db
from impact.projects.models import Project
from impact.toc.models import Link, Step
from impact.toc.services import load_chain
from tests import factories


def _seminars(project) -> Step:
    return next(step for step in load_chain(project.id).steps if step.title == "Seminars")


def _link_with_assumption(project) -> Link:
    chain = load_chain(project.id)
    return next(link for link in chain.links if chain.assumptions_by_link.get(link.id))


def _based_on(page: str) -> str:
    return re.search(r'name="based_on" type="hidden" value="(\d+)"', page).group(1)


def _client_for(app, role, project):
    """A second person in their own browser."""
    user = factories.user_with_role(role, project)
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return client, user


def _rows(step_id):
    _db.session.expire_all()
    return _db.session.scalars(select(Assessment).where(Assessment.step_id == step_id).order_by(Assessment.id)).all()


def test_assess_revise_and_read_the_history(client, project, login_as):
    login_as("team_member", project)
    step = _seminars(project)
    url = f"/projects/{project.id}/assessment/steps/{step.id}"
    form = client.get(url)
    assert form.status_code == 200
    assert _based_on(form.get_data(as_text=True)) == "0"
    first = client.post(url, data={"progress": "some", "confidence": "low", "rationale": "Attendance sheets only",
                                   "alternatives": "People came for the CPD points", "based_on": "0"})
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/chain/steps/{step.id}#assessment")
    page = client.get(f"/projects/{project.id}/chain/steps/{step.id}").get_data(as_text=True)
    assert "Attendance sheets only" in page and "People came for the CPD points" in page
    assert DEFAULT_STANDARDS["low"] in page.replace("&#39;", "'")  # the standard's wording beside the rating

    # Revising starts from the current revision.
    form = client.get(url).get_data(as_text=True)
    assert _based_on(form) == "1" and "Attendance sheets only" in form
    second = client.post(url, data={"progress": "good", "confidence": "medium", "based_on": "1",
                                    "rationale": "Questionnaires from four councils agree",
                                    "alternatives": "People came for the CPD points"})
    assert second.status_code == 302
    rows = _rows(step.id)
    assert [(r.number, r.progress, r.refused) for r in rows] == [(1, ProgressRating.SOME, False),
                                                                 (2, ProgressRating.GOOD, False)]

    history = client.get(f"/projects/{project.id}/assessment/steps/{step.id}/history").get_data(as_text=True)
    assert history.index("Revision 2") < history.index("Revision 1")  # newest first
    assert "Progress: Some → Good" in history and "Confidence: Low → Medium" in history
    assert "Rationale rewritten" in history and "Alternative explanations rewritten" not in history
    assert "Attendance sheets only" in history  # the earlier revision stays readable


def test_two_simultaneous_saves_of_one_step_keep_both(app, client, project, login_as):
    alice = login_as("team_member", project)
    bob_client, bob = _client_for(app, "lead", project)
    step = _seminars(project)
    url = f"/projects/{project.id}/assessment/steps/{step.id}"
    # Both open the form before either saves.
    alice_based_on = _based_on(client.get(url).get_data(as_text=True))
    bob_based_on = _based_on(bob_client.get(url).get_data(as_text=True))
    assert alice_based_on == bob_based_on == "0"

    first = client.post(url, data={"progress": "good", "confidence": "high", "rationale": "Alice's reasons",
                                   "based_on": alice_based_on})
    assert first.status_code == 302
    second = bob_client.post(url, data={"progress": "low", "confidence": "low", "rationale": "Bob's reasons",
                                        "alternatives": "Bob's alternatives", "based_on": bob_based_on})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert f"{alice.name} saved an assessment of this step at" in page
    assert "Alice&#39;s reasons" in page  # their version...
    assert "Bob&#39;s reasons</textarea>" in page  # ...beside the form still holding mine
    assert '<input checked id="progress-1"' in page and 'checked id="confidence-0"' in page
    assert _based_on(page) == "1"  # saving again is now a deliberate replacement

    rows = _rows(step.id)
    assert [(r.number, r.refused, r.based_on, r.author_id, r.rationale) for r in rows] == [
        (1, False, 0, alice.id, "Alice's reasons"), (None, True, 0, bob.id, "Bob's reasons")]
    history = client.get(url + "/history").get_data(as_text=True)
    assert "Not applied: saved at the same time as revision 1" in history
    assert "Bob&#39;s reasons" in history

    again = bob_client.post(url, data={"progress": "low", "confidence": "low", "rationale": "Bob's reasons",
                                       "based_on": _based_on(page)})
    assert again.status_code == 302
    assert [(r.number, r.rationale) for r in _rows(step.id)][-1] == (2, "Bob's reasons")


def test_a_save_losing_the_race_to_the_unique_constraint_is_kept_as_refused(app, db, project):
    """Both saves read "no revision yet"; the other one inserts revision 1 between our read and our insert.
    The unique (step, number) constraint catches it and our submission is stored as refused."""
    step = _seminars(project)
    mine = AssessmentValues(ProgressRating.LOW, Confidence.LOW, "Mine", "")
    theirs = AssessmentValues(ProgressRating.GOOD, Confidence.HIGH, "Theirs", "")
    me, rival = factories.user("Me"), factories.user("Rival")
    step_id, project_id, rival_id = step.id, project.id, rival.id
    _db.session.commit()

    def other_request_saves_first(session, flush_context, instances):
        with app.app_context():  # its own session and connection, like another worker
            other_project = _db.session.get(Project, project_id)
            other_step = _db.session.get(Step, step_id)
            from impact.auth.models import User
            outcome = save_assessment(other_project, other_step, 0, theirs, _db.session.get(User, rival_id))
            _db.session.commit()
            assert not outcome.conflict

    event.listen(_db.session(), "before_flush", other_request_saves_first, once=True)
    outcome = save_assessment(project, step, 0, mine, me)
    _db.session.commit()
    assert outcome.conflict
    assert outcome.current.number == 1 and outcome.current.rationale == "Theirs"
    assert outcome.current.author_id == rival_id
    assert [(r.number, r.refused, r.rationale) for r in _rows(step_id)] == [(1, False, "Theirs"), (None, True, "Mine")]


def test_link_assessment_records_each_assumption(client, project, login_as):
    login_as("lead", project)
    link = _link_with_assumption(project)
    assumption = load_chain(project.id).assumptions_by_link[link.id][0]
    url = f"/projects/{project.id}/assessment/links/{link.id}"
    form = client.get(url).get_data(as_text=True)
    assert f'name="assumption_{assumption.id}"' in form and "Managers release staff to attend" in form
    response = client.post(url, data={"progress": "some", "confidence": "medium", "based_on": "0",
                                      f"assumption_{assumption.id}": "does_not_hold"})
    assert response.status_code == 302
    page = client.get(f"/projects/{project.id}/chain/links/{link.id}").get_data(as_text=True)
    assert "Managers release staff to attend: <strong>Does not hold</strong>" in page
    client.post(url, data={"progress": "good", "confidence": "medium", "based_on": "1",
                           f"assumption_{assumption.id}": "holds"})
    _db.session.expire_all()
    states = _db.session.execute(
        select(Assessment.number, AssumptionStatus.state).join(AssumptionStatus)
        .where(Assessment.link_id == link.id).order_by(Assessment.number)).all()
    assert states == [(1, AssumptionState.DOES_NOT_HOLD), (2, AssumptionState.HOLDS)]
    history = client.get(url + "/history").get_data(as_text=True)
    assert "Managers release staff to attend: Does not hold → Holds" in history


def test_a_risk_is_assessed_as_materialised_or_not_rather_than_holding(client, project, login_as):
    from impact.toc import services as chain
    from impact.toc.models import AssumptionKind

    login_as("lead", project)
    link = _link_with_assumption(project)
    risk = chain.add_assumption(_db.session.get(Link, link.id), AssumptionKind.RISK, "Senior sponsors move on")
    _db.session.commit()
    url = f"/projects/{project.id}/assessment/links/{link.id}"
    form = client.get(url).get_data(as_text=True)
    risk_field = form[form.index(f'name="assumption_{risk.id}"'):]
    risk_field = risk_field[:risk_field.index("</select>")]
    assert [">Did not materialise<", ">Partly materialised<", ">Materialised<"] == \
        re.findall(r">(?:Did not materialise|Partly materialised|Materialised)<", risk_field)
    assert "holds" not in risk_field.lower().replace('value="holds"', "").replace('value="does_not_hold"', "")
    assumption = next(a for a in load_chain(project.id).assumptions_by_link[link.id] if a.id != risk.id)
    client.post(url, data={"progress": "some", "confidence": "medium", "based_on": "0",
                           f"assumption_{assumption.id}": "holds", f"assumption_{risk.id}": "does_not_hold"})
    page = client.get(f"/projects/{project.id}/chain/links/{link.id}").get_data(as_text=True)
    assert "Senior sponsors move on: <strong>Materialised</strong>" in page
    assert "Managers release staff to attend: <strong>Holds</strong>" in page
    story = client.get(f"/projects/{project.id}/story/?open=all").get_data(as_text=True)
    assert "Senior sponsors move on — <span" in story and ">Materialised</span>" in story


def test_an_unknown_assumption_status_is_refused_next_to_the_field(client, project, login_as):
    login_as("lead", project)
    link = _link_with_assumption(project)
    assumption = load_chain(project.id).assumptions_by_link[link.id][0]
    response = client.post(f"/projects/{project.id}/assessment/links/{link.id}", data={
        "progress": "some", "confidence": "medium", "based_on": "0", f"assumption_{assumption.id}": "maybe"})
    assert response.status_code == 400
    assert re.search(rf'id="assumption_{assumption.id}-error">.*Not a valid choice', response.get_data(as_text=True))
    assert _db.session.scalar(select(Assessment.id).where(Assessment.link_id == link.id)) is None


def test_missing_progress_gets_a_message_next_to_the_field(client, project, login_as):
    login_as("lead", project)
    step = _seminars(project)
    response = client.post(f"/projects/{project.id}/assessment/steps/{step.id}",
                           data={"confidence": "low", "rationale": "Keep me", "based_on": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="progress-error">.*Choose how much progress there has been', page)
    assert 'href="#progress"' in page  # the summary points at the field
    assert "Keep me</textarea>" in page  # nothing typed is lost
    assert _rows(step.id) == []


def test_a_tampered_starting_point_is_refused_with_a_message(client, project, login_as):
    login_as("lead", project)
    step = _seminars(project)
    response = client.post(f"/projects/{project.id}/assessment/steps/{step.id}",
                           data={"progress": "low", "confidence": "low", "based_on": "-3"})
    assert response.status_code == 400
    assert "The form was incomplete" in response.get_data(as_text=True)
    assert _rows(step.id) == []


def test_confidence_options_show_the_project_standards(client, project, login_as):
    login_as("lead", project)
    step = _seminars(project)
    url = f"/projects/{project.id}/assessment/steps/{step.id}"
    assert DEFAULT_STANDARDS["high"] in client.get(url).get_data(as_text=True).replace("&#39;", "'")
    standards = f"/projects/{project.id}/assessment/standards"
    page = client.get(standards).get_data(as_text=True)
    assert 'name="version" type="hidden" value="0"' in page  # no row yet: the defaults are offered
    saved = client.post(standards, data={"low": "Our own view only", "medium": "Two partner groups agree",
                                         "high": "Practitioners and families say so too", "version": "0"})
    assert saved.status_code == 302
    form = client.get(url).get_data(as_text=True)
    assert "Practitioners and families say so too" in form
    assert re.search(r'aria-describedby="confidence-2-standard"', form)  # tied to the option itself


def test_standards_edit_conflict_shows_the_other_version(app, client, project, login_as):
    login_as("lead", project)
    other_client, _ = _client_for(app, "team_member", project)
    url = f"/projects/{project.id}/assessment/standards"
    data = {"low": "L", "medium": "M", "high": "H"}
    assert client.post(url, data={**data, "high": "Created by the lead", "version": "0"}).status_code == 302
    # Someone who opened the page before the row existed is refused too, not silently applied.
    late = other_client.post(url, data={**data, "high": "Created by the member", "version": "0"})
    assert late.status_code == 409
    assert "Created by the lead" in late.get_data(as_text=True)
    version = _db.session.scalar(select(EvidenceStandard.version).where(EvidenceStandard.project_id == project.id))
    assert client.post(url, data={**data, "high": "Edited by the lead", "version": str(version)}).status_code == 302
    response = other_client.post(url, data={**data, "high": "Edited by the member", "version": str(version)})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved the evidence standards while you were editing" in page
    assert "Edited by the lead" in page and "Edited by the member</textarea>" in page
    _db.session.expire_all()
    assert _db.session.get(EvidenceStandard, project.id).high == "Edited by the lead"
    empty = client.post(url, data={**data, "medium": "", "version": str(version + 1)})
    assert empty.status_code == 400
    assert re.search(r'id="medium-error">.*Say what counts as medium confidence', empty.get_data(as_text=True))


def test_standards_are_read_only_for_practitioners(client, project, login_as):
    login_as("practitioner_researcher", project)
    page = client.get(f"/projects/{project.id}/assessment/standards").get_data(as_text=True)
    assert DEFAULT_STANDARDS["medium"] in page and "<textarea" not in page


def test_overview_lists_every_step_and_link_with_its_assessment(client, project, login_as):
    member = login_as("team_member", project)
    step = _seminars(project)
    client.post(f"/projects/{project.id}/assessment/steps/{step.id}",
                data={"progress": "good", "confidence": "medium", "based_on": "0"})
    page = client.get(f"/projects/{project.id}/assessment/").get_data(as_text=True)
    for step in load_chain(project.id).steps:
        assert step.title in page
    assert page.count("Not assessed") == 2 + 3  # the other two steps and the three links
    assert "Good" in page and member.name in page
    assert page.count(">Assess<span") == 6


def test_overview_offers_assessing_only_to_editors(client, project, login_as):
    login_as("practitioner_researcher", project)
    page = client.get(f"/projects/{project.id}/assessment/").get_data(as_text=True)
    assert "Seminars" in page and ">Assess<span" not in page


def test_history_paginates_and_compares_across_pages(app, client, project, login_as):
    login_as("lead", project)
    step = _seminars(project)
    per_page = app.config["ITEMS_PER_PAGE"]
    lead = factories.user("Writer")
    for number in range(per_page + 1):  # one more than a page: revision 1 lands on page 2
        progress = ProgressRating.LOW if number == 0 else ProgressRating.SOME
        save_assessment(project, step, number, AssessmentValues(progress, Confidence.LOW, f"R{number}", ""), lead)
    _db.session.commit()
    url = f"/projects/{project.id}/assessment/steps/{step.id}/history"
    first = client.get(url).get_data(as_text=True)
    assert f"Revision {per_page + 1}" in first and not re.search(r"Revision 1\s*</h2>", first)
    assert "Progress: Low → Some" in first  # revision 2 compared with revision 1 on the next page
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert re.search(r"Revision 1\s*</h2>", second) and "First assessment." in second


def test_assessment_form_is_protected_against_cross_site_posts(app_with, project):
    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    lead = factories.user_with_role("lead", project)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": lead.email, "password": factories.PASSWORD, "csrf_token": token})
    step = _seminars(project)
    url = f"/projects/{project.id}/assessment/steps/{step.id}"
    assert 'name="csrf_token"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"progress": "low", "confidence": "low", "based_on": "0"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert _rows(step.id) == []


def test_the_form_shows_the_evidence_beside_it_and_what_came_after_the_last_assessment(client, project, login_as):
    import datetime as dt

    from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
    from impact.projects.models import PartnerGroup

    login_as("lead", project)
    step = _seminars(project)

    def link_item(title, stance, group):
        item = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title=title,
                            evidence_date=dt.date(2011, 5, 1), partner_group=group)
        item.links.append(EvidenceLink(step_id=step.id, stance=stance, strength=Strength.STRONG))
        _db.session.add(item)
        _db.session.commit()

    link_item("Seminar feedback forms", Stance.SUPPORTS, PartnerGroup.PRACTITIONER)
    url = f"/projects/{project.id}/assessment/steps/{step.id}"
    form = client.get(url).get_data(as_text=True)
    beside = form[form.index('<aside class="assess-evidence"'):form.index("</aside>")]
    assert "Seminar feedback forms" in beside and "Practitioner" in beside and "strong evidence" in beside
    assert "New since the last assessment" not in form  # nothing assessed yet
    assert client.post(url, data={"progress": "some", "confidence": "low", "based_on": "0"}).status_code == 302
    assert "New since the last assessment" not in client.get(url).get_data(as_text=True)

    link_item("A manager's email doubting the seminars", Stance.CHALLENGES, PartnerGroup.MANAGER)
    form = client.get(url).get_data(as_text=True)
    assert "1 piece of evidence was linked to this step after revision 1 was saved" in form
    new = form[form.index('aria-label="New since the last assessment"'):]
    new = new[:new.index("</ul>")]
    assert "A manager&#39;s email doubting the seminars" in new and "Seminar feedback forms" not in new
    against = form[form.index(">Against <"):]
    assert "A manager&#39;s email doubting the seminars" in against[:against.index("<h3>")]


def test_a_rating_the_evidence_standard_does_not_back_is_saved_with_a_warning(client, project, login_as):
    import datetime as dt

    from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
    from impact.projects.models import PartnerGroup

    login_as("lead", project)
    step = _seminars(project)
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title="Seminar feedback forms",
                        evidence_date=dt.date(2011, 5, 1), partner_group=PartnerGroup.PRACTITIONER)
    item.links.append(EvidenceLink(step_id=step.id, stance=Stance.SUPPORTS, strength=Strength.MODERATE))
    _db.session.add(item)
    _db.session.commit()
    url = f"/projects/{project.id}/assessment/steps/{step.id}"
    form = client.get(url).get_data(as_text=True)
    medium_hint = form[form.index('id="confidence-1-standard"'):]
    medium_hint = medium_hint[:medium_hint.index("</div>")]
    assert "Not met: Medium needs 2 sources or more for it; this step has 1." in medium_hint
    assert "Medium needs sources from 2 or more partner groups; this step&#39;s come from 1." in medium_hint
    low_hint = form[form.index('id="confidence-0-standard"'):]
    assert "Not met" not in low_hint[:low_hint.index("</div>")]  # low asks for no count

    saved = client.post(url, data={"progress": "some", "confidence": "medium", "based_on": "0"},
                        follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Assessment saved as revision 1." in page  # never refused...
    assert "By the project&#39;s evidence standard: Medium needs 2 sources or more for it; this step has 1." in page
    assert _rows(step.id)[0].confidence == Confidence.MEDIUM

    # The project's own counts: one source from one group is medium enough for this team.
    standards = f"/projects/{project.id}/assessment/standards"
    assert client.post(standards, data={"low": "L", "medium": "M", "high": "H", "version": "0",
                                        "medium_min_sources": "1", "medium_min_groups": "1",
                                        "high_min_sources": "4", "high_min_groups": "3"}).status_code == 302
    form = client.get(url).get_data(as_text=True)
    assert "Met by the evidence on this step." in form[form.index('id="confidence-1-standard"'):]
    assert "Not met: High needs 4 sources or more for it; this step has 1." in form
    refused = client.post(standards, data={"low": "L", "medium": "M", "high": "H", "version": "1",
                                           "medium_min_sources": "-1"})
    assert refused.status_code == 400
    assert re.search(r'id="medium_min_sources-error">.*Give a number from 0 to 100', refused.get_data(as_text=True))
