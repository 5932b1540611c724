"""One diff for chain revisions and story snapshots (impact/snapshots.py).

Records of two saved payloads are paired by id: each comes out added, removed, changed, or not at
all when nothing about it changed; and both compare pages list the changes the same way.
"""
from __future__ import annotations

import datetime as dt
import re

from impact.evidence.models import Stance, Strength
from impact.extensions import db as _db
from impact.snapshots import Change, diff_records
from impact.story.compare import diff_stories
from impact.story.services import build_content, save_snapshot
from impact.toc import revisions
from impact.toc import services as chain
from impact.toc.models import AssumptionKind, FactorDirection
from impact.toc.services import load_chain
from impact.tracing.models import Claim, ClaimTest, TestType
from tests.test_story import add_item, link_item, parts


def listed(page: str, section: str) -> list[tuple[str, str]]:
    """(kind, text) of each change a reader sees in one section of a compare page, over its levels in the
    page's order (each level's groups of that section)."""
    groups = re.findall(rf'<details class="diff-group" id="[^"]+" data-what="{section}"[^>]*>(.*?)</details>', page,
                        re.S)
    items = [item for group in groups
             for item in re.findall(r'<li class="diff-(\w+)"><span class="diff-kind">\w+</span> (.*?)</li>', group)]
    return [(kind, re.sub(r"<[^>]+>", "", text)) for kind, text in items]


def _renamed(before, after) -> list[Change]:
    if before["title"] == after["title"]:
        return []
    return [Change("renamed", "step", after["title"], f"was “{before['title']}”")]


def test_chain_records_come_out_added_removed_changed_or_not_at_all(client, project, login_as):
    login_as("team_member", project)
    _, steps, _, assumption, _ = parts(project)
    factor = chain.add_factor(steps["Seminars"], "Travel costs", FactorDirection.HINDERING)
    revisions.save_revision(project, name="Before", revision_date=dt.date(2026, 4, 30), note="", user=None)
    _db.session.commit()
    before = revisions.snapshot(load_chain(project.id))

    seminars, practice = steps["Seminars"], steps["Reports written for the client"]
    chain.update_step(seminars, title="Seminar series", description="", level=seminars.level)
    chain.add_step(project, seminars.level, "Good practice guide")
    chain.update_factor(factor, title=factor.title, direction=FactorDirection.HELPING, description="")
    chain.update_assumption(assumption, kind=AssumptionKind.RISK, text=assumption.text)
    _db.session.commit()
    assert client.post(f"/projects/{project.id}/chain/steps/{practice.id}/delete",
                       data={"confirm": "yes"}).status_code == 302
    after = revisions.snapshot(load_chain(project.id))

    changes = diff_records("step", before["steps"], after["steps"], label=lambda step: step["title"],
                           changed=_renamed)
    assert [(c.kind, c.what, c.label, c.detail) for c in changes] == [
        ("added", "step", "Good practice guide", ""),
        ("removed", "step", "Reports written for the client", ""),
        ("renamed", "step", "Seminar series", "was “Seminars”"),
    ]  # "Attendees from six councils" did not change, and is not listed
    assert not diff_records("step", before["steps"], before["steps"], label=lambda step: step["title"],
                            changed=_renamed)

    diff = revisions.diff_snapshots(before, after)
    assert [c.label for c in diff.of("risk")] == ["Managers release staff to attend"]  # listed under its new kind
    assert not diff.of("assumption")

    page = client.get(f"/projects/{project.id}/chain/revisions/compare?old=1&new=current").get_data(as_text=True)
    # By level in chain order (Activities, then Practice change), then by kind.
    assert listed(page, "step") == [
        ("added", "Good practice guide"),
        ("renamed", "Seminar series (was “Seminars”)"),
        ("removed", "Reports written for the client"),
    ]
    assert listed(page, "factor") == [("changed", "Travel costs (Direction was hindering, now helping)"),
                                      ("removed", "Heavy caseloads")]  # with its step
    assert listed(page, "risk") == [("changed", "Managers release staff to attend (was an assumption, now a risk)")]
    assert listed(page, "level") == [] and 'id="diff-level"' not in page  # an unchanged section is left out


def test_story_records_come_out_added_removed_changed_or_not_at_all(client, project, login_as):
    _, steps, _, _, _ = parts(project)
    seminars = steps["Seminars"]
    project.contribution_tracing = True
    kept = Claim(project_id=project.id, statement="Kept as it was", prior=0.5)
    tested = Claim(project_id=project.id, statement="Tested since", prior=0.5)
    dropped = Claim(project_id=project.id, statement="Dropped", prior=0.3)
    _db.session.add_all([kept, tested, dropped])
    same, gone, turned = (add_item(project, title) for title in ("Same record", "Gone record", "Turned record"))
    for item in (same, gone):
        link_item(item, step=seminars)
    turned_link = link_item(turned, step=seminars, strength=Strength.WEAK)
    _db.session.commit()
    login_as("team_member", project)
    client.post(f"/projects/{project.id}/story/conclusion", data={"conclusion": "Too early.", "version": "0"})
    save_snapshot(project, "Interim", None)
    _db.session.commit()
    before = build_content(project)

    tested.tests = [ClaimTest(description="Reports quote families", test_type=TestType.CUSTOM, sensitivity=0.9,
                              type_one_error=0.1, found=True)]
    _db.session.delete(dropped)
    _db.session.add(Claim(project_id=project.id, statement="New claim", prior=0.4))
    _db.session.delete(gone.links[0])
    turned_link.stance, turned_link.strength = Stance.CHALLENGES, Strength.STRONG
    link_item(add_item(project, "New record"), step=seminars)
    _db.session.commit()
    client.post(f"/projects/{project.id}/story/conclusion", data={"conclusion": "Plausible.", "version": "1"})
    after = build_content(project)

    claims = diff_records("claims", before["claims"], after["claims"], label=lambda claim: claim["statement"],
                          changed=lambda was, now: [Change("changed", "claims", now["statement"])]
                          if was["posterior"] != now["posterior"] else [], in_order=True)
    # In the story's order: the new list as it runs, then what went; the untouched claim is not listed.
    assert [(c.kind, c.label) for c in claims] == [("changed", "Tested since"), ("added", "New claim"),
                                                   ("removed", "Dropped")]
    step_before, step_after = before["steps"][0], after["steps"][0]
    assert step_before["id"] == step_after["id"] == seminars.id
    evidence = diff_records("evidence", step_before["evidence"], step_after["evidence"], key="item_id",
                            label=lambda entry: entry["title"],
                            changed=lambda was, now: [Change("changed", "evidence", now["title"])]
                            if was["stance"] != now["stance"] else [])
    assert [(c.kind, c.label) for c in evidence] == [("added", "New record"), ("removed", "Gone record"),
                                                     ("changed", "Turned record")]

    diff = diff_stories(before, after)
    assert [(c.label, c.before, c.after) for c in diff.texts()] == [("The team's conclusion", "Too early.",
                                                                    "Plausible.")]

    page = client.get(f"/projects/{project.id}/story/compare?old=1&new=current").get_data(as_text=True)
    assert listed(page, "claims") == [  # by kind: added, removed, changed
        ("added", "New claim (posterior 0.40)"),
        ("removed", "Dropped"),
        ("changed", "Tested since (prior 0.50 → 0.50; posterior 0.50 → 0.90)"),
    ]
    assert listed(page, "evidence") == [
        ("added", "New record (Supports, on the step “Seminars”)"),
        ("removed", "Gone record (on the step “Seminars”)"),
        ("changed", "Turned record (on the step “Seminars”: Supports, weak → Challenges, strong)"),
    ]
    assert "Same record" not in page and "Kept as it was" not in page
    assert "<h3>Before</h3><blockquote><p>Too early.</p></blockquote>" in page
    assert "<h3>After</h3><blockquote><p>Plausible.</p></blockquote>" in page


def test_both_compare_pages_choose_and_report_alike(client, project, login_as):
    login_as("team_member", project)
    for number in (1, 2):
        revisions.save_revision(project, name=f"Revision {number}", revision_date=dt.date(2026, 1, number),
                                note="", user=None)
        save_snapshot(project, f"Snapshot {number}", None)
    _db.session.commit()
    pages = {"revision": f"/projects/{project.id}/chain/revisions/compare",
             "snapshot": f"/projects/{project.id}/story/compare"}
    for noun, url in pages.items():
        # Without a choice: from the newest saved version to the work as it is now.
        page = client.get(url).get_data(as_text=True)
        assert '<option value="2" selected>2: ' in page and '<option value="current" selected>' in page
        assert "No differences." in page
        page = client.get(f"{url}?old=1&new=9").get_data(as_text=True)  # no such number in this project
        assert f"Choose two {noun}s to compare." in page and "No differences." not in page
        listing = client.get(url.replace("/compare", "/snapshots" if noun == "snapshot" else "")).get_data(
            as_text=True)
        assert f'<caption class="visually-hidden">Saved {noun}s, newest first</caption>' in listing
        assert f"Compare any two {noun}s" in listing
        assert f'Compare<span class="visually-hidden"> {noun} 2</span> with now' in listing
