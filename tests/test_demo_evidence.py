"""The demo's evidence beyond the action cards: items, links to the chain, assessments, claims and the story."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from impact.assessment.models import Assessment, AssumptionStatus, Confidence, EvidenceStandard, ProgressRating
from impact.demo import cards_data, evidence_data, seed_data
from impact.demo.evidence_loader import demo_item_titles
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance
from impact.projects.models import PartnerGroup, Project
from impact.story.models import Story, StorySnapshot
from impact.toc.models import Assumption, InfluencingFactor, Link, Step
from impact.tracing import bayes
from impact.tracing.models import Claim, ClaimTest


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def _demo(db) -> Project:
    return db.session.scalar(select(Project).where(Project.title == seed_data.PROJECT["title"]))


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _demo_items(db, project):
    return list(db.session.scalars(select(EvidenceItem).where(
        EvidenceItem.project_id == project.id, EvidenceItem.kind != EvidenceKind.ACTION_CARD_RESPONSE)))


def _totals(db) -> dict[str, int]:
    return {model.__name__: _count(db, model)
            for model in (EvidenceItem, EvidenceLink, Assessment, AssumptionStatus, Claim, ClaimTest, Story,
                          StorySnapshot, EvidenceStandard)}


def test_demo_has_the_seeds_evidence_of_every_kind(app, db):
    _load(app)
    project = _demo(db)
    items = _demo_items(db, project)
    kinds = Counter(item.kind for item in items)
    assert kinds == {EvidenceKind.QUESTIONNAIRE: 4, EvidenceKind.WORKSHOP_NOTES: 3, EvidenceKind.OBSERVATION: 3,
                     EvidenceKind.MEETING_RECORD: 11, EvidenceKind.DOCUMENT: 3,
                     EvidenceKind.PRACTITIONER_UPDATE: 5 + 5,  # the seed's five, and five updates on its PRPs
                     EvidenceKind.FIGURE: 4}
    # The twelve follow-up answers from the cards demo are still there alongside.
    assert _count(db, EvidenceItem, EvidenceItem.kind == EvidenceKind.ACTION_CARD_RESPONSE) == 12
    titles = {item.title for item in items}
    assert "Impact meeting three months after the PRPs: notes" in titles
    assert "Good practice guide: engaging with involuntary clients" in titles
    # Every link in the data found its step, link, assumption or factor in the chain.
    manual = _count(db, EvidenceLink, EvidenceLink.origin == LinkOrigin.MANUAL)
    assert manual == sum(len(spec["links"]) for spec in evidence_data.ITEMS) == 116
    # Whose voice: several partner groups, and some steps rest on academics' word alone.
    assert {item.partner_group for item in items} == {
        PartnerGroup.ACADEMIC, PartnerGroup.PRACTITIONER, PartnerGroup.MANAGER, PartnerGroup.SERVICE_USER}
    academic_only = db.session.execute(
        select(Step.title).join(EvidenceLink, EvidenceLink.step_id == Step.id).join(EvidenceLink.item)
        .where(Step.project_id == project.id).group_by(Step.title)
        .having(func.count(func.distinct(EvidenceItem.partner_group)) == 1,
                func.min(EvidenceItem.partner_group) == PartnerGroup.ACADEMIC)).scalars().all()
    assert "Briefing and two literature reviews" in academic_only
    # The story is honest: the hindering factors and the challenges are evidenced too.
    challenged = set(db.session.scalars(
        select(Step.title).join(EvidenceLink, EvidenceLink.step_id == Step.id)
        .where(EvidenceLink.stance == Stance.CHALLENGES, EvidenceLink.origin == LinkOrigin.MANUAL)))
    assert {"Dialogue with managers about relationship-based practice",
            "Authority cultures shift towards relationship-based practice"} <= challenged
    hindering = set(db.session.scalars(
        select(InfluencingFactor.title).join(EvidenceLink, EvidenceLink.factor_id == InfluencingFactor.id)
        .where(EvidenceLink.origin == LinkOrigin.MANUAL)))
    assert {"Heavy caseloads and bureaucratic demands", "Senior sponsors move on",
            "Local authority firewalls block the project wiki", "Performance management culture"} <= hindering


def test_demo_evidence_dates_follow_the_seed_timeline(app, db):
    _load(app)
    project = _demo(db)
    items = {item.title: item for item in _demo_items(db, project)}
    for item in items.values():
        assert project.start_date <= item.evidence_date <= project.end_date, item.title
    seminar = dt.date.fromisoformat(cards_data.EVENT["date"])
    assert items["Attendance at the first knowledge-sharing seminar: 38"].evidence_date == seminar
    meeting = items["Impact meeting three months after the PRPs: notes"].evidence_date
    prps_done = items["Practitioner research projects: 7 started, 6 completed"].evidence_date
    assert 85 <= (meeting - prps_done).days <= 100  # three months after the projects ended
    assert items["Good practice guide: engaging with involuntary clients"].evidence_date > meeting


def test_demo_steps_and_main_links_are_assessed(app, db):
    _load(app)
    project = _demo(db)
    steps = {step.id: step.title for step in db.session.scalars(select(Step).where(Step.project_id == project.id))}
    assessed = {a.step_id: a for a in db.session.scalars(
        select(Assessment).where(Assessment.project_id == project.id, Assessment.step_id.is_not(None)))}
    assert len(assessed) == 24
    # Two steps are left as gaps: the funding input and the wider outcomes nobody measured.
    assert {steps[i] for i in set(steps) - set(assessed)} == {
        "Funding from the Engaging with Scottish Local Authorities scheme", "Better outcomes for involuntary clients"}
    by_title = {steps[step_id]: a for step_id, a in assessed.items()}
    lead = by_title["Knowledge-sharing seminars"].author
    assert lead.email == "lead@demo.example.org"
    assert all(a.number == 1 and not a.refused and a.rationale for a in assessed.values())
    assert by_title["Authority cultures shift towards relationship-based practice"].progress == ProgressRating.LOW
    assert "Munro" in by_title["Dialogue with managers about relationship-based practice"].alternatives

    link_rows = list(db.session.scalars(
        select(Assessment).where(Assessment.project_id == project.id, Assessment.link_id.is_not(None))))
    assert len(link_rows) == 14
    states = {status.assumption.text: status.state.value for row in link_rows for status in row.assumption_states}
    assert len(states) == 24
    assert states["Caseloads leave time for direct work with families"] == "does_not_hold"
    assert states["Practitioners have routes to senior managers"] == "partly"
    standard = db.session.get(EvidenceStandard, project.id)
    assert standard is not None and "partner groups" in standard.high


def test_demo_claims_reach_the_posteriors_the_data_intends(app, db):
    _load(app)
    project = _demo(db)
    assert project.contribution_tracing is True
    claims = list(db.session.scalars(select(Claim).where(Claim.project_id == project.id).order_by(Claim.position)))
    assert len(claims) == 2
    worked = []
    for claim, spec in zip(claims, evidence_data.CLAIMS, strict=True):
        assert claim.prior == 0.5 and len(claim.tests) == 4
        assert any(not test.found for test in claim.tests)  # evidence sought but not found
        assert all(test.item is not None and test.item.project_id == project.id for test in claim.tests)
        result = bayes.posterior(claim.prior, [bayes.Evidence(t.sensitivity, t.type_one_error, t.found)
                                               for t in claim.tests])
        assert round(result, 2) == spec["intended_posterior"]
        worked.append(result)
    # By hand: hoop found (.95/.6), straw found (.6/.4), custom found (.4/.1), straw not found (.4/.6): odds 6.33.
    assert worked[0] == pytest.approx(19 / 22)
    # Hoop found, custom found (.3/.05), straw not found, custom found (.5/.7): odds 4.53.
    assert worked[1] == pytest.approx(0.81897, abs=1e-4)
    story = db.session.get(Story, project.id)
    assert story.conclusion == evidence_data.CONCLUSION and "Munro" in story.conclusion
    assert story.updated_by.email == "lead@demo.example.org"


def test_quotes_shown_with_consent_have_pseudonyms_never_names(app, db):
    _load(app)
    items = _demo_items(db, _demo(db))
    shown = [item for item in items if item.quote and item.consent_to_quote]
    withheld = [item for item in items if item.quote and not item.consent_to_quote]
    # The one withheld in the library is a card response's; the meeting's unquotable words stay on its record.
    assert len(shown) >= 10 and len(withheld) == 1
    assert not any("nobody had been that straight" in (item.quote + item.summary + item.title) for item in items)
    assert all(item.pseudonym for item in shown)
    assert {"Practitioner 1", "Practitioner 2", "Practitioner 3"} <= {item.pseudonym for item in shown}
    names = {card[0] for card in cards_data.CARDS} | {spec["name"] for spec in seed_data.USERS}
    for item in items:
        for name in names:
            assert name not in item.pseudonym and name not in item.quote, (item.title, name)


def test_loading_twice_adds_nothing(app, db):
    _load(app)
    before = _totals(db)
    assert "Already present" in _load(app)
    assert _totals(db) == before


def test_an_existing_demo_without_evidence_gains_it_and_keeps_the_teams_work(app, db):
    _load(app)
    project = _demo(db)
    full = _totals(db)
    # Turn it back into a demo loaded before the evidence library existed...
    for item in db.session.scalars(select(EvidenceItem).where(EvidenceItem.title.in_(demo_item_titles()))):
        db.session.delete(item)
    for model in (Assessment, Claim, StorySnapshot):
        for row in db.session.scalars(select(model).where(model.project_id == project.id)):
            db.session.delete(row)
    db.session.delete(db.session.get(Story, project.id))
    db.session.delete(db.session.get(EvidenceStandard, project.id))
    project.contribution_tracing = False
    db.session.flush()
    # ...on which the team has since assessed one step itself.
    seminars = db.session.scalar(select(Step).where(Step.project_id == project.id,
                                                    Step.title == "Knowledge-sharing seminars"))
    db.session.add(Assessment(project_id=project.id, step_id=seminars.id, number=1, progress=ProgressRating.SOME,
                              confidence=Confidence.LOW, rationale="Our own first look."))
    db.session.commit()
    assert _count(db, Claim) == 0

    assert "Already present" in _load(app)
    db.session.expire_all()
    assert _totals(db) == full
    assert _demo(db).contribution_tracing is True
    kept = db.session.scalars(select(Assessment).where(Assessment.step_id == seminars.id)).all()
    assert [a.rationale for a in kept] == ["Our own first look."]


def test_no_demo_evidence_points_outside_the_demo_project(app, db, project):
    _load(app)
    demo = _demo(db)
    assert demo.id != project.id
    links = db.session.scalars(select(EvidenceLink).join(EvidenceLink.item)
                               .where(EvidenceItem.project_id == demo.id)).all()
    assert links
    for link in links:
        if link.step_id:
            owner = db.session.get(Step, link.step_id).project_id
        elif link.link_id:
            owner = db.session.get(Link, link.link_id).project_id
        elif link.assumption_id:
            owner = db.session.get(Assumption, link.assumption_id).link.project_id
        else:
            owner = db.session.get(InfluencingFactor, link.factor_id).project_id
        assert owner == demo.id
    for assessment in db.session.scalars(select(Assessment).where(Assessment.project_id == demo.id)):
        target = assessment.step or assessment.link
        assert target.project_id == demo.id
    # The other project got nothing.
    assert _count(db, EvidenceItem, EvidenceItem.project_id == project.id) == 0
    assert _count(db, Assessment, Assessment.project_id == project.id) == 0


def test_demo_has_an_interim_snapshot_to_compare_with_the_final_story(app, db, client):
    from tests.test_story import svg_step

    _load(app)
    project = _demo(db)
    snapshot = db.session.scalar(select(StorySnapshot).where(StorySnapshot.project_id == project.id))
    assert snapshot.number == 1 and snapshot.name == "Interim report to the funder"
    assert snapshot.created_at.date() == dt.date(2011, 3, 31)
    dates = [entry["date"] for step in snapshot.content["steps"] for entry in step["evidence"]]
    assert dates and max(dates) <= "2011-03-31"  # neither the June impact meeting nor July's follow-up replies
    assert all(step["progress"] is None for step in snapshot.content["steps"])

    client.post("/login", data={"email": "lead@demo.example.org", "password": "demo-password"})
    base = f"/projects/{project.id}/story"
    interim = client.get(f"{base}/snapshots/1").get_data(as_text=True)
    assert "Interim, March 2011" in interim and "Impact meeting three months after the PRPs" not in interim
    step = next(s for s in snapshot.content["steps"] if s["title"] == "Six completed PRP reports")
    assert 'data-progress' not in svg_step(interim, step["id"])  # white: not assessed then
    compare = client.get(f"{base}/compare?old=1&new=current").get_data(as_text=True)
    assert "Impact meeting three months after the PRPs: notes" in compare
    assert "progress: Not assessed → Good" in compare and "Interim, March 2011" in compare


def test_the_impact_meeting_is_one_record_with_its_quotes_attendance_and_themes(app, db, client):
    from impact.meetings.models import Meeting, MeetingKind
    from impact.research.models import ResearchUpdate

    _load(app)
    project = _demo(db)
    meetings = db.session.scalars(select(Meeting).where(Meeting.project_id == project.id)
                                  .order_by(Meeting.held_on)).all()
    assert [m.kind for m in meetings] == [MeetingKind.GOVERNANCE, MeetingKind.GOVERNANCE, MeetingKind.IMPACT]
    meeting = meetings[-1]
    assert meeting.title == "Impact meeting three months after the PRPs" and meeting.consent_to_record
    assert meeting.held_on == dt.date(2011, 6, 17) and meeting.notes_item.title.endswith(": notes")
    practitioners = [row for row in meeting.attendance if row.partner_group is PartnerGroup.PRACTITIONER]
    assert len(practitioners) == 5 and len({row.research_project_id for row in practitioners}) == 4
    assert all(row.research_project_id for row in practitioners)
    assert len(meeting.quotes) == 10 and sum(q.consent_to_quote for q in meeting.quotes) == 9
    assert all(q.evidence_item.kind is EvidenceKind.MEETING_RECORD and q.evidence_item.deleted_at is None
               for q in meeting.quotes)
    assert {t.title for t in meeting.themes} == {"Changes to personal practice", "Creating a dialogue",
                                                 "Working with local authority cultures"}
    assert any(t.factors for t in meeting.themes) and all(t.steps for t in meeting.themes)
    # No meeting record is left in the library as a separate item outside the meeting.
    written = {meeting.notes_item_id, *(q.evidence_item_id for q in meeting.quotes)}
    loose = db.session.scalars(select(EvidenceItem.id).where(EvidenceItem.project_id == project.id,
                                                             EvidenceItem.kind == EvidenceKind.MEETING_RECORD)).all()
    assert set(loose) == written
    # The quotes of Practitioner 3 (the demo's practitioner) are her contributions.
    mine = {q.evidence_item.created_by.email for q in meeting.quotes if q.pseudonym == "Practitioner 3"}
    assert mine == {"practitioner@demo.example.org"}
    assert db.session.scalar(select(func.count()).select_from(ResearchUpdate)
                             .where(ResearchUpdate.sent_by_email.is_(True))) == 1

    client.post("/login", data={"email": "lead@demo.example.org", "password": "demo-password"})
    voices = client.get(f"/projects/{project.id}/evidence/voices").get_data(as_text=True)
    assert "Governance" in voices and "Not represented: practitioner, service user." in voices
