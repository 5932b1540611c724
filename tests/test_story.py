"""The contribution story: what funders read, the conclusion, snapshots and comparing them."""
from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import event, func, select

from impact.assessment.models import AssumptionState, Confidence, ProgressRating
from impact.assessment.services import AssessmentValues, current_number, save_assessment
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.extensions import db as _db
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.publishing.services import publish
from impact.story.compare import CHANGES_SHOWN
from impact.story.models import Story, StorySnapshot
from impact.toc import services as chain_services
from impact.toc.models import FactorDirection
from impact.toc.services import load_chain
from impact.tracing.models import Claim, ClaimTest, TestType

# Helpers, shared with test_gaps.py and test_report.py --------------------------------------------

def add_item(project, title, *, group=PartnerGroup.PRACTITIONER, kind=EvidenceKind.MEETING_RECORD, quote="",
             pseudonym="", consent=False, deleted=False) -> EvidenceItem:
    item = EvidenceItem(project_id=project.id, kind=kind, title=title, evidence_date=dt.date(2012, 6, 1),
                        partner_group=group, summary="", quote=quote, pseudonym=pseudonym,
                        consent_to_quote=consent, deleted_at=utcnow() if deleted else None)
    _db.session.add(item)
    _db.session.flush()
    return item


def link_item(item, *, step=None, link=None, assumption=None, factor=None, stance=Stance.SUPPORTS,
              strength=Strength.MODERATE) -> EvidenceLink:
    row = EvidenceLink(item_id=item.id, step_id=step.id if step else None, link_id=link.id if link else None,
                       assumption_id=assumption.id if assumption else None,
                       factor_id=factor.id if factor else None, stance=stance, strength=strength)
    _db.session.add(row)
    _db.session.flush()
    return row


def assess(project, target, progress, confidence, rationale="", states=None):
    """A new revision through the real service, based on the current one."""
    outcome = save_assessment(project, target, current_number(target),
                              AssessmentValues(progress, confidence, rationale, "", states or {}), None)
    assert not outcome.conflict
    _db.session.commit()
    return outcome.saved


def parts(project):
    chain = load_chain(project.id)
    steps = {step.title: step for step in chain.steps}
    first = next(link for link in chain.links if chain.assumptions_by_link.get(link.id))
    factor = next(f for factors in chain.factors_by_step.values() for f in factors)
    return chain, steps, first, chain.assumptions_by_link[first.id][0], factor


def story_page(client, project, query: str = "") -> str:
    response = client.get(f"/projects/{project.id}/story/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def svg_step(page: str, step_id: int) -> str:
    match = re.search(rf'<g class="[^"]*"[^>]*data-step-id="{step_id}"[^>]*>', page)
    assert match, f"step {step_id} is not in the diagram"
    return match.group(0)


# The story page ----------------------------------------------------------------------------------

def test_funder_reads_the_story_with_consented_quotes_only(client, project, login_as):
    _, steps, first, assumption, factor = parts(project)
    seminars = steps["Seminars"]
    quoted = add_item(project, "Impact meeting", quote="I write my reports for the family now",
                      pseudonym="PRP1 social worker A", consent=True)
    link_item(quoted, step=seminars, strength=Strength.STRONG)
    secret = add_item(project, "Corridor chat", quote="Off the record, nothing changed", pseudonym="Manager B")
    link_item(secret, step=seminars, stance=Stance.CHALLENGES)
    binned = add_item(project, "Draft notes thrown away", deleted=True)
    link_item(binned, step=seminars)
    caseload = add_item(project, "Caseload figures", group=PartnerGroup.MANAGER, kind=EvidenceKind.FIGURE)
    link_item(caseload, factor=factor)
    _db.session.commit()
    assess(project, seminars, ProgressRating.GOOD, Confidence.HIGH, "Attendance and questionnaires agree.")
    assess(project, first, ProgressRating.SOME, Confidence.LOW,
           states={assumption.id: AssumptionState.PARTLY})

    # A funder reads it as the lead published it.
    publish(project, "Interim report", None)
    login_as("funder", project)
    assert client.get(f"/projects/{project.id}/story/").status_code == 403  # never the live story
    response = client.get(f"/projects/{project.id}/reports/1?evidence=all")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "I write my reports for the family now" in page and "PRP1 social worker A" in page
    assert "Off the record" not in page  # no consent: the text is never sent
    assert "Corridor chat" in page  # the item itself still counts as evidence against
    assert "Draft notes thrown away" not in page
    assert "Did it help?" in page  # the cause-effect question
    assert "Attendance and questionnaires agree." in page
    box = svg_step(page, seminars.id)
    assert 'data-progress="good"' in box and "progress-good" in box and 'data-confidence="high"' in box
    unassessed = svg_step(page, steps["Attendees from six councils"].id)
    assert "data-progress" not in unassessed
    assert "Partly holds" in page  # the assumption's status on the link
    assert "Heavy caseloads" in page and "1 for, 0 against" in page  # the factor and its evidence
    # Funders may not open the chain or the evidence pages, so the story does not link to them.
    assert f"/projects/{project.id}/chain/steps/{seminars.id}" not in page
    assert client.get(f"/projects/{project.id}/story/gaps").status_code == 403


def test_team_member_sees_links_and_claims_when_tracing_is_on(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    project.contribution_tracing = True
    claim = Claim(project_id=project.id, statement="Seminars changed how reports are written", prior=0.5,
                  step_id=steps["Seminars"].id)
    claim.tests = [ClaimTest(description="Reports quote families", test_type=TestType.CUSTOM, sensitivity=0.9,
                             type_one_error=0.1, found=True)]
    _db.session.add(claim)
    _db.session.commit()
    login_as("team_member", project)
    page = story_page(client, project)
    assert "Seminars changed how reports are written" in page and "0.50 → 0.90" in page
    assert f'href="/projects/{project.id}/chain/steps/{steps["Seminars"].id}"' in page
    assert f"/projects/{project.id}/story/conclusion" in page  # editors can write the conclusion

    project.contribution_tracing = False
    _db.session.commit()
    assert "Seminars changed how reports are written" not in story_page(client, project)


def test_story_runs_a_fixed_number_of_queries(client, project, login_as, query_counter):
    """More evidence, steps, links, factors and assessments: the same number of statements."""
    login_as("team_member", project)
    project.contribution_tracing = True
    _db.session.commit()
    counts = []
    for size in (3, 30):
        chain, steps, first, assumption, factor = parts(project)
        level = chain.steps[0].level
        extra = [chain_services.add_step(project, level, f"Extra {size}.{n}") for n in range(size // 3)]
        for n, step in enumerate(extra):
            chain_services.add_factor(step, f"Factor {size}.{n}", FactorDirection.HELPING)
        _db.session.flush()
        claim = Claim(project_id=project.id, statement=f"Claim {size}", prior=0.5)
        claim.tests = [ClaimTest(description=f"T{n}", test_type=TestType.HOOP, sensitivity=0.95, type_one_error=0.6,
                                 found=True) for n in range(size // 3)]
        _db.session.add(claim)
        targets = [dict(step=s) for s in [*steps.values(), *extra]] + [dict(link=first), dict(assumption=assumption),
                                                                      dict(factor=factor)]
        for n in range(size):
            item = add_item(project, f"Item {size}.{n}", quote="q", pseudonym="P", consent=n % 2 == 0,
                            group=list(PartnerGroup)[n % 4])
            link_item(item, **targets[n % len(targets)])
        _db.session.commit()
        for step in [*steps.values(), *extra]:
            assess(project, step, ProgressRating.SOME, Confidence.MEDIUM)
        assess(project, first, ProgressRating.LOW, Confidence.LOW, states={assumption.id: AssumptionState.HOLDS})
        _db.session.expire_all()
        with query_counter() as queries:
            story_page(client, project)
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{counts[0]} queries with 3 items, {counts[1]} with 30"
    assert counts[1] <= 25, counts


# The conclusion ------------------------------------------------------------------------------------

def test_conclusion_is_created_on_first_save_and_shown(client, project, login_as):
    login_as("team_member", project)
    url = f"/projects/{project.id}/story/conclusion"
    form = client.get(url).get_data(as_text=True)
    assert 'name="version" type="hidden" value="0"' in form
    response = client.post(url, data={"conclusion": "The seminars plausibly contributed.\n\nBut caseloads hindered.",
                                      "version": "0"})
    assert response.status_code == 302
    page = story_page(client, project)
    assert "<p>The seminars plausibly contributed.</p>" in page and "<p>But caseloads hindered.</p>" in page
    story = _db.session.get(Story, project.id)
    assert story.version == 1 and story.updated_by is not None


def test_second_save_of_the_conclusion_is_refused_and_shows_theirs(client, project, login_as):
    login_as("lead", project)
    url = f"/projects/{project.id}/story/conclusion"
    assert client.post(url, data={"conclusion": "First draft", "version": "0"}).status_code == 302
    assert client.post(url, data={"conclusion": "Their revision", "version": "1"}).status_code == 302
    # Someone who opened the form at version 1 saves after that.
    response = client.post(url, data={"conclusion": "My late revision", "version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved the conclusion" in page and "<p>Their revision</p>" in page
    assert "My late revision</textarea>" in page  # yours is kept in the form
    assert 'name="version" type="hidden" value="2"' in page
    _db.session.expire_all()
    assert _db.session.get(Story, project.id).conclusion == "Their revision"
    # A second "first save" (both opened the form before any conclusion existed) finds the row there.
    assert client.post(url, data={"conclusion": "Mine", "version": "0"}).status_code == 409


# Snapshots -----------------------------------------------------------------------------------------

def test_snapshot_then_change_then_compare(client, project, login_as):
    _, steps, first, assumption, _ = parts(project)
    seminars = steps["Seminars"]
    assess(project, seminars, ProgressRating.SOME, Confidence.LOW)
    old_item = add_item(project, "Seminar questionnaires", quote="Useful", pseudonym="Attendee 3", consent=True)
    link_item(old_item, step=seminars)
    _db.session.commit()
    login_as("team_member", project)
    base = f"/projects/{project.id}/story"
    client.post(f"{base}/conclusion", data={"conclusion": "Too early to say.", "version": "0"})
    response = client.post(f"{base}/snapshots", data={"name": "Interim report"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{base}/snapshots/1")

    assess(project, seminars, ProgressRating.GOOD, Confidence.HIGH)
    assess(project, first, ProgressRating.SOME, Confidence.MEDIUM, states={assumption.id: AssumptionState.HOLDS})
    new_item = add_item(project, "Good practice guide", kind=EvidenceKind.DOCUMENT)
    link_item(new_item, step=seminars)
    _db.session.delete(_db.session.get(EvidenceLink, old_item.links[0].id))
    _db.session.commit()
    client.post(f"{base}/conclusion", data={"conclusion": "A plausible contribution.", "version": "1"})

    page = client.get(f"{base}/compare?old=1&new=current").get_data(as_text=True)
    assert "Step “Seminars”" in page and "progress: Some → Good" in page and "confidence: Low → High" in page
    assert "Good practice guide" in page and "Seminar questionnaires" in page  # added and removed
    assert "Managers release staff to attend" in page and "Not recorded → Holds" in page
    assert "Too early to say." in page and "A plausible contribution." in page

    # The snapshot still reads as it did, through the same template as the live story.
    snapshot = client.get(f"{base}/snapshots/1").get_data(as_text=True)
    assert "Snapshot 1: Interim report" in snapshot and "Too early to say." in snapshot
    assert 'data-progress="some"' in svg_step(snapshot, seminars.id)
    assert "“Useful”" in snapshot and "Attendee 3" in snapshot
    assert "Good practice guide" not in snapshot
    live = story_page(client, project)
    assert 'data-progress="good"' in svg_step(live, seminars.id) and "A plausible contribution." in live

    listing = client.get(f"{base}/snapshots").get_data(as_text=True)
    assert "Interim report" in listing
    assert client.get(f"{base}/snapshots/9").status_code == 404


def test_snapshot_keeps_no_quote_without_consent(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    link_item(add_item(project, "Meeting", quote="Never print this", pseudonym="X"), step=steps["Seminars"])
    _db.session.commit()
    login_as("lead", project)
    assert client.post(f"/projects/{project.id}/story/snapshots", data={"name": "For the funder"}).status_code == 302
    content = _db.session.scalar(select(StorySnapshot.content))
    assert "Never print this" not in repr(content)
    assert content["steps"][0]["evidence"][0]["quote_withheld"] is True


def test_snapshot_needs_a_name(client, project, login_as):
    login_as("lead", project)
    response = client.post(f"/projects/{project.id}/story/snapshots", data={"name": "  "})
    assert response.status_code == 400
    assert "Give the snapshot a name." in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count()).select_from(StorySnapshot)) == 0


def test_snapshots_saved_at_once_get_the_next_number(client, project, login_as):
    """Another save takes our number between our reading the latest and our insert: we take the next one."""
    login_as("lead", project)
    engine = _db.engine
    fired = []

    def someone_else_saves(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith("INSERT INTO STORY_SNAPSHOTS"):
            fired.append(True)
            with engine.connect() as other:
                other.execute(StorySnapshot.__table__.insert().values(
                    project_id=project.id, number=1, name="Theirs", content={}, created_at=utcnow()))
                other.commit()

    event.listen(engine, "before_cursor_execute", someone_else_saves)
    try:
        response = client.post(f"/projects/{project.id}/story/snapshots", data={"name": "Mine"})
    finally:
        event.remove(engine, "before_cursor_execute", someone_else_saves)
    assert fired
    assert response.status_code == 302 and response.headers["Location"].endswith("/snapshots/2")
    _db.session.expire_all()
    rows = _db.session.execute(select(StorySnapshot.number, StorySnapshot.name).order_by(StorySnapshot.number))
    assert list(rows) == [(1, "Theirs"), (2, "Mine")]


def test_compare_with_no_snapshots_says_so(client, project, login_as):
    login_as("co_researcher", project)
    page = client.get(f"/projects/{project.id}/story/compare").get_data(as_text=True)
    assert "No snapshots saved yet" in page


def test_a_snapshot_stops_showing_a_quote_once_consent_is_withdrawn_or_the_item_is_trashed(client, project, login_as):
    _, steps, first, assumption, factor = parts(project)
    quote, pseudonym = "The seminar changed how I write my reports", "PRP1 social worker A"
    quoted = add_item(project, "Impact meeting", quote=quote, pseudonym=pseudonym, consent=True)
    link_item(quoted, step=steps["Seminars"])
    on_factor = add_item(project, "Manager interview", quote="Caseloads doubled", pseudonym="Manager C",
                         consent=True)
    link_item(on_factor, factor=factor)
    link_item(on_factor, assumption=assumption)
    _db.session.commit()
    login_as("team_member", project)
    base = f"/projects/{project.id}/story"
    assert client.post(f"{base}/snapshots", data={"name": "Interim report"}).status_code == 302
    page = client.get(f"{base}/snapshots/1").get_data(as_text=True)
    assert quote in page and pseudonym in page and "Caseloads doubled" in page

    # The person withdraws consent: the snapshot keeps its record, but no page shows the quote.
    quoted.consent_to_quote = False
    _db.session.commit()
    page = client.get(f"{base}/snapshots/1").get_data(as_text=True)
    assert quote not in page and pseudonym not in page
    assert "Impact meeting" in page and "Quote withheld." in page
    assert "Caseloads doubled" in page  # other quotes, still consented, stay
    compare = client.get(f"{base}/compare?old=1&new=current").get_data(as_text=True)
    assert quote not in compare and pseudonym not in compare
    stored = _db.session.scalar(select(StorySnapshot.content))
    assert stored["steps"][0]["evidence"][0]["quote"] == quote  # the record itself is left as it was

    # Consent given again: the quote may be shown again.
    quoted.consent_to_quote = True
    _db.session.commit()
    assert quote in client.get(f"{base}/snapshots/1").get_data(as_text=True)

    # In the trash: withheld (on the factor and the assumption alike).
    quoted.deleted_at = on_factor.deleted_at = utcnow()
    _db.session.commit()
    page = client.get(f"{base}/snapshots/1").get_data(as_text=True)
    assert quote not in page and "Caseloads doubled" not in page and "Manager C" not in page

    # Gone for good (the trash emptied): withheld too.
    quoted.deleted_at = None
    _db.session.delete(_db.session.get(EvidenceItem, quoted.id))
    _db.session.commit()
    page = client.get(f"{base}/snapshots/1").get_data(as_text=True)
    assert quote not in page and "Impact meeting" in page  # the snapshot still records the item


def test_a_snapshot_withholds_quotes_in_one_query_however_many(client, project, login_as, query_counter):
    login_as("team_member", project)
    _, steps, _, _, _ = parts(project)
    base = f"/projects/{project.id}/story"
    counts = []
    for number, size in enumerate((2, 20), start=1):
        items = [add_item(project, f"Item {size}.{n}", quote=f"Quote {size}.{n}", pseudonym="P", consent=True)
                 for n in range(size)]
        for item in items:
            link_item(item, step=steps["Seminars"])
        _db.session.commit()
        assert client.post(f"{base}/snapshots", data={"name": f"Snapshot {size}"}).status_code == 302
        for item in items[::2]:
            item.consent_to_quote = False
        _db.session.commit()
        _db.session.expire_all()
        with query_counter() as queries:
            page = client.get(f"{base}/snapshots/{number}").get_data(as_text=True)
        counts.append(len(queries))
        assert f"Quote {size}.1" in page and f"Quote {size}.0" not in page
    assert counts[0] == counts[1], counts


def test_a_claim_about_a_link_names_the_link_on_the_story(client, project, login_as):
    chain, steps, first, _, _ = parts(project)
    project.contribution_tracing = True
    _db.session.add(Claim(project_id=project.id, statement="Managers let staff attend", prior=0.5, link_id=first.id))
    _db.session.commit()
    login_as("team_member", project)
    row = re.search(r"<tr>\s*<td>(?:<a [^>]*>)?Managers let staff attend(?:</a>)?</td>\s*<td>(.*?)</td>",
                    story_page(client, project), re.S)
    assert row and row.group(1) == "Link: Seminars → Attendees from six councils"


def test_a_huge_page_number_is_not_an_error(client, project, login_as):
    login_as("team_member", project)
    response = client.get(f"/projects/{project.id}/story/snapshots?page=99999999999999999999")
    assert response.status_code == 404  # no such page, rather than the database overflowing
    assert client.get(f"/projects/{project.id}/story/snapshots?page=-3").status_code == 200


def test_a_part_with_much_evidence_shows_the_strongest_few_and_how_many_in_all(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    seminars = steps["Seminars"]
    for n in range(4):
        link_item(add_item(project, f"Weak note {n}"), step=seminars, strength=Strength.WEAK)
    for n in range(3):
        link_item(add_item(project, f"Moderate note {n}"), step=seminars)
    link_item(add_item(project, "Quoted moderate note", quote="It changed how we work", pseudonym="Manager 2",
                       consent=True), step=seminars)
    link_item(add_item(project, "Strong record"), step=seminars, strength=Strength.STRONG)
    link_item(add_item(project, "Complaint"), step=seminars, stance=Stance.CHALLENGES, strength=Strength.WEAK)
    _db.session.commit()
    login_as("team_member", project)

    assert "Strong record" not in story_page(client, project)  # each level in brief until it is opened
    page = story_page(client, project, "?open=all")
    section = page[page.index(f'id="step-{seminars.id}"'):]
    section = section[:section.index("</article>")]
    assert "Evidence for <span class=\"meta\">(9, the 5 strongest shown)</span>" in section
    # Strongest first, a quote before none of equal strength; the weak ones wait for "show every item".
    assert section.index("Strong record") < section.index("Quoted moderate note") < section.index("Moderate note")
    assert "It changed how we work" in section and "Weak note" not in section
    # "show every item" opens the step's level on the full page, at the step.
    assert "4 more" in section and f"?evidence=all&amp;level={seminars.level_id}#step-{seminars.id}" in section
    assert "Evidence against <span class=\"meta\">(1)</span>" in section and "Complaint" in section

    everything = client.get(f"/projects/{project.id}/story/?evidence=all").get_data(as_text=True)
    section = everything[everything.index(f'id="step-{seminars.id}"'):]
    assert all(f"Weak note {n}" in section for n in range(4)) and "more:" not in section[:section.index("</article>")]
    assert "Show only the strongest 5" in everything


def test_a_long_comparison_lists_the_first_changes_of_a_group_then_all_on_request(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    login_as("team_member", project)
    base = f"/projects/{project.id}/story"
    client.post(f"{base}/snapshots", data={"name": "Before"})
    for n in range(103):
        link_item(add_item(project, f"Note {n:03d}"), step=steps["Seminars"])
    _db.session.commit()

    key = f"{steps['Seminars'].level_id}-evidence-added"
    page = client.get(f"{base}/compare?old=1&new=current").get_data(as_text=True)
    assert "Evidence links added <span class=\"meta\">(103)</span>" in page
    assert page.count("Note 0") == CHANGES_SHOWN and f"{103 - CHANGES_SHOWN} more" in page
    # The link to the rest opens its group, on the full list.
    assert html.escape(f"{base}/compare?old=1&new=current&changes=all&open={key}#diff-{key}") in page
    everything = client.get(f"{base}/compare?old=1&new=current&changes=all&open={key}").get_data(as_text=True)
    assert everything.count("Note 0") + everything.count("Note 1") == 103 and "more:" not in everything
    assert f'id="diff-{key}" data-what="evidence" open>' in everything
