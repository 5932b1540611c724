"""The story read in layers (a summary, then each level folded to its headline), and comparisons of two
snapshots or two revisions grouped by level and kind, each group folded with its count."""
from __future__ import annotations

import datetime as dt
import html
import re

from impact.assessment.models import AssumptionState, Confidence, ProgressRating
from impact.evidence.models import Stance, Strength
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.publishing.services import publish
from impact.story.services import save_snapshot
from impact.toc import revisions
from impact.toc import services as chain_services
from impact.toc.services import load_chain
from tests import factories
from tests.test_story import add_item, assess, link_item, parts, story_page


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def headline(page: str, level_id: int) -> str:
    """The words of a folded level's headline, as its disclosure shows them."""
    match = re.search(rf'<details class="story-level-detail" id="level-{level_id}-detail"[^>]*>\s*<summary>(.*?)'
                      r"</summary>", page, re.S)
    assert match, f"level {level_id} is not folded in a disclosure"
    return _text(re.search(r'<span class="level-headline">(.*?)</span>\s*$', match.group(1), re.S).group(1))


def opened_levels(page: str) -> list[int]:
    return [int(level) for level in re.findall(r'<details class="story-level-detail" id="level-(\d+)-detail" open>',
                                               page)]


def summary_lines(page: str) -> list[str]:
    summary = page[page.index('id="levels-heading"'):]
    summary = summary[:summary.index("</ul>")]
    return [_text(line) for line in re.findall(r"<li>(.*?)</li>", summary, re.S)]


def _levels(project) -> dict[str, int]:
    return {level.name: level.id for level in load_chain(project.id).levels}


def _a_story_with_evidence(project):
    """Activities: Seminars (good, high) and Briefing (some, low); evidence on both, on a link and a factor."""
    chain, steps, first, assumption, factor = parts(project)
    seminars, practice = steps["Seminars"], steps["Reports written for the client"]
    briefing = chain_services.add_step(project, seminars.level, "Briefing")
    _db.session.flush()
    link_item(add_item(project, "Questionnaires"), step=seminars, strength=Strength.STRONG)
    link_item(add_item(project, "Field notes", group=PartnerGroup.ACADEMIC), step=seminars)
    link_item(add_item(project, "Complaint"), step=seminars, stance=Stance.CHALLENGES)
    review = add_item(project, "Guide review", group=PartnerGroup.CARER)
    link_item(review, step=seminars, stance=Stance.MIXED)
    link_item(review, step=briefing)  # one item on two steps of the level: one carer's voice, two links
    link_item(add_item(project, "Thrown away", deleted=True), step=briefing)
    link_item(add_item(project, "Manager's note", group=PartnerGroup.MANAGER), link=first)  # not on a step
    link_item(add_item(project, "Caseload figures", group=PartnerGroup.MANAGER), factor=factor)
    link_item(add_item(project, "Case file audit", group=PartnerGroup.ACADEMIC), step=practice)
    _db.session.commit()
    assess(project, seminars, ProgressRating.GOOD, Confidence.HIGH)
    assess(project, briefing, ProgressRating.SOME, Confidence.LOW)
    return steps


ACTIVITIES = ("2 steps; progress: 1 good, 1 some; confidence: 1 high, 1 low; evidence on its steps: 3 for, "
              "1 against, 1 mixed; whose voice: 1 academic, 2 practitioner, 1 carer")
REACH = ("1 step; progress: 1 not assessed; confidence: 1 not assessed; evidence on its steps: no evidence yet; "
         "whose voice: nobody yet")
PRACTICE = ("1 step; progress: 1 not assessed; confidence: 1 not assessed; evidence on its steps: 1 for, 0 against; "
            "whose voice: 1 academic (rests on academic evidence alone)")


def test_each_level_is_folded_to_its_headline_with_the_same_figures_live_in_a_snapshot_and_published(
        client, project, login_as):
    _a_story_with_evidence(project)
    levels = _levels(project)
    login_as("lead", project)
    live = story_page(client, project)
    assert headline(live, levels["Activities"]) == ACTIVITIES
    assert headline(live, levels["Reach"]) == REACH
    assert headline(live, levels["Practice change"]) == PRACTICE
    assert opened_levels(live) == []  # all folded: the page opens on the summary and the diagram
    assert "Seminars" in live[live.index(f'id="level-{levels["Activities"]}-detail"'):]  # the detail is inside

    # The live page counts in SQL; a snapshot and a published version count what they stored: the same.
    assert client.post(f"/projects/{project.id}/story/snapshots", data={"name": "Now"}).status_code == 302
    snapshot = client.get(f"/projects/{project.id}/story/snapshots/1").get_data(as_text=True)
    publish(project, "Interim", None)
    published = client.get(f"/projects/{project.id}/reports/1").get_data(as_text=True)
    for page in (snapshot, published):
        assert [headline(page, levels[name]) for name in ("Activities", "Reach", "Practice change")] == [
            ACTIVITIES, REACH, PRACTICE]
    # A published version's "show every item" opens the level it was followed from.
    every = client.get(f"/projects/{project.id}/reports/1?evidence=all&level={levels['Reach']}").get_data(as_text=True)
    assert opened_levels(every) == [levels["Reach"]]


def test_the_story_opens_with_a_summary_of_the_question_the_conclusion_and_each_level(client, project, login_as):
    _a_story_with_evidence(project)
    levels = _levels(project)
    login_as("lead", project)
    page = story_page(client, project)
    summary = page[page.index('id="summary-heading"'):page.index('id="chain-heading"')]  # before the diagram
    assert "Did it help?" in summary and "The team has not written its conclusion yet." in summary
    lines = summary_lines(page)
    assert lines[0] == "Inputs: no steps yet"
    assert f"Activities: {ACTIVITIES}" in lines and f"Practice change: {PRACTICE}" in lines
    activities = f'/projects/{project.id}/story/?level={levels["Activities"]}#level-{levels["Activities"]}-detail'
    assert f'<a href="{activities}">Activities</a>' in summary  # each line opens its level

    client.post(f"/projects/{project.id}/story/conclusion",
                data={"conclusion": "The seminars plausibly contributed.\n\nCaseloads hindered.", "version": "0"})
    summary = story_page(client, project)
    summary = summary[summary.index('id="summary-heading"'):summary.index('id="chain-heading"')]
    assert "The seminars plausibly contributed." in summary and "Caseloads hindered." not in summary
    assert '<a href="#conclusion">The whole conclusion</a>' in summary


def test_a_link_into_the_story_opens_its_level_without_javascript(client, project, login_as):
    steps = _a_story_with_evidence(project)
    levels = _levels(project)
    practice = steps["Reports written for the client"]
    login_as("lead", project)
    base = f"/projects/{project.id}/story/"
    page = client.get(f"{base}?level={practice.level_id}").get_data(as_text=True)
    assert opened_levels(page) == [levels["Practice change"]]
    assert f'id="step-{practice.id}"' in page
    # Every level, to read or print it whole, and back.
    everything = client.get(f"{base}?open=all").get_data(as_text=True)
    assert len(opened_levels(everything)) == 3 and f'<a href="{base}">Fold every level</a>' in everything
    assert f'<a href="{base}?open=all">Open every level</a>' in story_page(client, project)
    # "show every item" on a part opens the part's level on the full page.
    seminars = steps["Seminars"]
    full = client.get(f"{base}?evidence=all&level={seminars.level_id}").get_data(as_text=True)
    assert opened_levels(full) == [seminars.level_id] and "Every evidence item is listed" in full
    # A level that is not there (or not a number) leaves them all folded.
    for level in ("999999", "seminars"):
        response = client.get(f"{base}?level={level}")
        assert response.status_code == 200 and opened_levels(response.get_data(as_text=True)) == []
    # The same on a snapshot.
    assert client.post(f"/projects/{project.id}/story/snapshots", data={"name": "Now"}).status_code == 302
    snapshot = client.get(f"/projects/{project.id}/story/snapshots/1?level={practice.level_id}").get_data(as_text=True)
    assert opened_levels(snapshot) == [practice.level_id]


def _shown(page: str, start: str, end: str) -> list[str]:
    """The evidence (E01...) listed from ``start`` to the next ``end``, in the page's order."""
    section = page[page.index(start):]
    return re.findall(r"\bE\d\d\b", section[:section.index(end)])


def test_the_live_page_shows_the_same_strongest_evidence_as_a_snapshot_holding_all_of_it(client, project, login_as):
    """The live page asks the database for the strongest few; a snapshot ranks its full lists: they agree."""
    _, steps, first, assumption, factor = parts(project)
    seminars = steps["Seminars"]
    strengths = [Strength.WEAK, Strength.STRONG, Strength.MODERATE]
    for n in range(16):
        item = add_item(project, f"E{n:02d}", quote="It helped" if n % 4 == 0 else "", pseudonym="P",
                        consent=n % 8 == 0)  # quoted, but not always with consent
        item.evidence_date = dt.date(2012, 1 + n % 3, 1)  # ties on the date, decided by the newest item
        stance = Stance.CHALLENGES if n % 5 == 0 else Stance.SUPPORTS
        link_item(item, step=seminars, stance=stance, strength=strengths[n % 3])
        if n % 3 == 0:
            link_item(item, factor=factor, stance=stance, strength=strengths[(n + 1) % 3])
        if n % 2 == 0:
            link_item(item, assumption=assumption, stance=Stance.MIXED if n % 6 == 0 else stance,
                      strength=strengths[(n + 2) % 3])
    _db.session.commit()
    login_as("team_member", project)
    live = story_page(client, project, "?open=all")
    save_snapshot(project, "All of it", None)
    _db.session.commit()
    snapshot = client.get(f"/projects/{project.id}/story/snapshots/1").get_data(as_text=True)
    on_step = (f'id="step-{seminars.id}"', 'class="story-link"')
    on_factor, on_assumption = ("<strong>Heavy caseloads</strong>", "</ul>"), ("Managers release staff", "</ul>")
    for part, shown in ((on_step, 5 + 4), (on_factor, 3), (on_assumption, 3)):  # 5 for, all 4 against; 3 in all
        assert len(_shown(live, *part)) == shown
        assert _shown(live, *part) == _shown(snapshot, *part)
    assert "(4 for, 2 against)" in live and "(4 for, 1 against, 3 mixed)" in live  # the factor, the assumption
    assert "(4 for, 2 against)" in snapshot and "(4 for, 1 against, 3 mixed)" in snapshot
    assert "Evidence for <span class=\"meta\">(12, the 5 strongest shown)</span>" in live
    assert "Evidence for <span class=\"meta\">(12, the 5 strongest shown)</span>" in snapshot


def test_a_snapshot_comparison_is_grouped_by_level_then_kind_with_counts(client, project, login_as):
    _, steps, first, assumption, _ = parts(project)
    seminars, practice = steps["Seminars"], steps["Reports written for the client"]
    levels = _levels(project)
    login_as("lead", project)
    base = f"/projects/{project.id}/story"
    assert client.post(f"{base}/snapshots", data={"name": "Before"}).status_code == 302
    chain_services.add_step(project, seminars.level, "Briefing")
    for title in ("Questionnaires", "Field notes"):
        link_item(add_item(project, title), step=seminars)
    link_item(add_item(project, "Case file audit"), step=practice)
    _db.session.commit()
    assess(project, seminars, ProgressRating.GOOD, Confidence.HIGH)
    assess(project, first, ProgressRating.SOME, Confidence.LOW, states={assumption.id: AssumptionState.HOLDS})
    client.post(f"{base}/conclusion", data={"conclusion": "Plausible.", "version": "0"})

    page = client.get(f"{base}/compare?old=1&new=current").get_data(as_text=True)
    assert ("<strong>8 changes:</strong> 1 step added, 2 assessments changed, 3 evidence links added, "
            "1 assumption or risk changed, the conclusion changed.") in page
    found = re.findall(r'<h2 id="diff-level-(\d+)">(.*?)</h2>|<summary><h3 id="diff-([^"]+)-heading">(.*?)</h3>', page)
    assert [(_text(level_heading) or _text(group), key) for level, level_heading, key, group in found] == [
        ("Activities (6 changes)", ""),
        ("Steps added (1)", f"{levels['Activities']}-steps-added"),
        ("Assessments changed (2)", f"{levels['Activities']}-assessments-changed"),
        ("Evidence links added (2)", f"{levels['Activities']}-evidence-added"),
        ("Assumptions and risks changed (1)", f"{levels['Activities']}-assumptions-changed"),
        ("Practice change (1 change)", ""),
        ("Evidence links added (1)", f"{levels['Practice change']}-evidence-added"),
    ]
    # Each group is folded; a link to one opens it, or all of them.
    assert ' open>' not in page[page.index("diff-total"):]
    key = f"{levels['Practice change']}-evidence-added"
    one = client.get(f"{base}/compare?old=1&new=current&open={key}").get_data(as_text=True)
    assert re.findall(r'<details class="diff-group" id="diff-([^"]+)"[^>]* open>', one) == [key]
    every = client.get(f"{base}/compare?old=1&new=current&open=all").get_data(as_text=True)
    assert len(re.findall(r'<details class="diff-group"[^>]* open>', every)) == 5 and "Fold every group" in every
    assert "<h3>Before</h3><blockquote><p>(none)</p></blockquote>" in page  # the conclusion, whole


def test_a_revision_comparison_is_grouped_by_level_then_kind_with_counts(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    levels = _levels(project)
    login_as("team_member", project)
    revisions.save_revision(project, name="Before", revision_date=dt.date(2026, 4, 30), note="", user=None)
    _db.session.commit()
    seminars, practice = steps["Seminars"], steps["Reports written for the client"]
    chain_services.update_step(seminars, title="Seminar series", description="", level=seminars.level)
    chain_services.add_step(project, factories.level(project, "Reach"), "Social workers attend")
    _db.session.commit()
    assert client.post(f"/projects/{project.id}/chain/steps/{practice.id}/delete",
                       data={"confirm": "yes"}).status_code == 302  # with its two links and its factor

    page = client.get(f"/projects/{project.id}/chain/revisions/compare?old=1&new=current").get_data(as_text=True)
    assert ("<strong>6 changes:</strong> 1 step added, 1 step removed, 1 step renamed, 2 links removed, "
            "1 influencing factor removed.") in page
    found = re.findall(r'<h2 id="diff-level-\d+">(.*?)</h2>|<summary><h3 id="diff-[^"]+-heading">(.*?)</h3>', page)
    assert [_text(level or group) for level, group in found] == [
        "Activities (2 changes)", "Steps renamed (1)", "Links removed (1)",
        "Reach (2 changes)", "Steps added (1)", "Links removed (1)",
        "Practice change (2 changes)", "Steps removed (1)", "Influencing factors removed (1)",
    ]
    assert f'id="diff-{levels["Practice change"]}-step-removed"' in page
