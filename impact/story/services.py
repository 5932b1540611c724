"""Assembling the contribution story.

The story is built as one JSON-able dict (the "content"): the live page renders it, a
snapshot stores it as it is, and comparisons diff two of them. So the live page and a
snapshot read from years ago go through the same template (impact/story/view.py), and a
snapshot holds only what the page would show (never a quote without consent). A stored
quote is shown again only while its consent lasts (withhold_quotes). The live page's content
is bounded: the evidence it shows, and the counts of the rest (impact/story/evidence.py).
"""
from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from impact.assessment.comments import comments_on
from impact.assessment.models import Assessment, AssumptionState, Confidence, ProgressRating
from impact.assessment.queries import current_assessments, evidence_standards
from impact.auth.models import User
from impact.evidence.models import EvidenceItem, EvidenceKind, Stance, Strength
from impact.evidence.queries import live_items
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup, Project
from impact.snapshots import next_number, versions_query
from impact.story.evidence import (
    TARGETS,
    all_entries,
    level_voices,
    stance_counts,
    step_voices,
    strongest_entries,
)
from impact.story.models import Story, StorySnapshot
from impact.toc.models import AssumptionKind, FactorDirection
from impact.toc.services import load_chain
from impact.tracing.services import claims_with_posteriors

CONTENT_VERSION = 1

_LABELS = {
    "progress": ProgressRating, "confidence": Confidence, "stance": Stance, "strength": Strength,
    "kind": EvidenceKind, "group": PartnerGroup, "direction": FactorDirection, "state": AssumptionState,
    "assumption_kind": AssumptionKind,
}


def label(what: str, value: str | None, kind: str | None = None) -> str:
    """The words for a stored enum value (a state in the words of its assumption's or risk's ``kind``);
    an old snapshot may hold a value that no longer exists."""
    if value is None:
        return "Not assessed" if what in ("progress", "confidence") else "Not recorded"
    try:
        if what == "state":
            return AssumptionState(value).label_for(kind)
        return _LABELS[what](value).label
    except (KeyError, ValueError):
        return str(value).replace("_", " ").capitalize()


# Building the content -------------------------------------------------------------------------

def _assessment(assessment: Assessment | None) -> dict[str, Any]:
    if assessment is None:
        return {"progress": None, "confidence": None, "rationale": "", "alternatives": "", "assessed_at": None,
                "revision": None}
    return {
        "progress": assessment.progress.value, "confidence": assessment.confidence.value,
        "rationale": assessment.rationale, "alternatives": assessment.alternatives,
        "assessed_at": assessment.created_at.date().isoformat(), "revision": assessment.number,
    }


def load_story(project_id: int) -> Story | None:
    return db.session.scalar(select(Story).where(Story.project_id == project_id))


def build_content(project: Project, *, bounded: bool = False, in_brief: bool = False) -> dict[str, Any]:
    """Everything the story page shows, as plain data (a fixed number of queries whatever the size).

    ``bounded``: for the live page, each part holds only the entries the page shows, with the counts of
    all ("evidence_counts", and "voices" on a step) and the voices on each level's steps ("level_voices");
    a snapshot or a published version holds every entry (bounded=False), and the view counts them.
    ``in_brief`` (with ``bounded``): the page opens no level, so it shows counts and no entries: none are read.
    """
    chain = load_chain(project.id)
    by_step, by_link = current_assessments(project.id)
    if bounded and in_brief:
        evidence: dict[str, dict[int, list[dict[str, Any]]]] = {kind: {} for kind in TARGETS}
    else:
        evidence = strongest_entries(project.id) if bounded else all_entries(project.id)
    claims = claims_with_posteriors(project.id) if project.contribution_tracing else []
    story = load_story(project.id)
    titles = {step.id: step.title for step in chain.steps}
    link_titles = {link.id: f"{titles.get(link.source_step_id, '')} → {titles.get(link.target_step_id, '')}"
                   for link in chain.links}

    comments = comments_on([step.id for step in chain.steps])
    steps = [
        {
            "id": step.id, "level_id": step.level_id, "title": step.title, "description": step.description,
            **_assessment(by_step.get(step.id)),
            # Partners' comments and dissent stand beside the team's rating, in the story as on the step.
            "comments": [{"text": comment.text, "dissent": comment.dissent, "group": comment.partner_group.value,
                          "about": comment.about_number, "on": comment.created_at.date().isoformat()}
                         for comment in comments.get(step.id, [])],
            "evidence": evidence["step"].get(step.id, []),
            "factors": [
                {"id": factor.id, "title": factor.title, "direction": factor.direction.value,
                 "description": factor.description, "evidence": evidence["factor"].get(factor.id, [])}
                for factor in chain.factors_by_step.get(step.id, [])
            ],
        }
        for step in chain.steps
    ]
    links = []
    for link in chain.links:
        assessment = by_link.get(link.id)
        states = {s.assumption_id: s.state.value for s in assessment.assumption_states} if assessment else {}
        links.append({
            "id": link.id, "source": link.source_step_id, "target": link.target_step_id,
            "source_title": titles.get(link.source_step_id, ""), "target_title": titles.get(link.target_step_id, ""),
            "note": link.note, **_assessment(assessment),
            "evidence": evidence["link"].get(link.id, []),
            "assumptions": [
                {"id": a.id, "kind": a.kind.value, "text": a.text, "status": states.get(a.id),
                 "evidence": evidence["assumption"].get(a.id, [])}
                for a in chain.assumptions_by_link.get(link.id, [])
            ],
        })
    content = {
        "version": CONTENT_VERSION,
        "project": {"title": project.title, "question": project.question},
        "contribution_tracing": project.contribution_tracing,
        "standards": evidence_standards(project.id),
        "levels": [{"id": level.id, "name": level.name} for level in chain.levels],
        "steps": steps,
        "links": links,
        "claims": [
            {"id": c.id, "statement": c.statement, "prior": c.prior, "posterior": c.posterior, "tests": c.tests,
             "step_title": titles.get(c.step_id) if c.step_id else None,
             "link_title": link_titles.get(c.link_id) if c.link_id else None}
            for c in claims
        ],
        "conclusion": {
            "text": story.conclusion if story else "",
            "updated_at": story.updated_at.date().isoformat() if story and story.updated_at else None,
        },
    }
    if bounded:
        _add_counts(project.id, content)
    return content


def _add_counts(project_id: int, content: dict[str, Any]) -> None:
    """The counts of a bounded content, from three GROUP BYs."""
    counts, on_steps = stance_counts(project_id), step_voices(project_id)
    for step in content["steps"]:
        step["evidence_counts"] = counts["step"].get(step["id"], {})
        step["voices"] = on_steps.get(step["id"], {})
        for factor in step["factors"]:
            factor["evidence_counts"] = counts["factor"].get(factor["id"], {})
    for link in content["links"]:
        link["evidence_counts"] = counts["link"].get(link["id"], {})
        for assumption in link["assumptions"]:
            assumption["evidence_counts"] = counts["assumption"].get(assumption["id"], {})
    content["level_voices"] = level_voices(project_id)


# Quotes in saved content ----------------------------------------------------------------------

def _entries(content: dict[str, Any]):
    """Every evidence entry of a story content, wherever in the chain it hangs."""
    for step in content.get("steps", []):
        yield from step.get("evidence", [])
        for factor in step.get("factors", []):
            yield from factor.get("evidence", [])
    for link in content.get("links", []):
        yield from link.get("evidence", [])
        for assumption in link.get("assumptions", []):
            yield from assumption.get("evidence", [])


def quotable_items(project_id: int, item_ids) -> set[int]:
    """Those of the items whose quote may be shown today: in the library, out of the trash, still holding a
    quote, and the person still consenting to it (the conditions impact/evidence/quote_changes.py watches)."""
    if not item_ids:
        return set()
    return set(db.session.scalars(select(EvidenceItem.id).where(
        EvidenceItem.id.in_(sorted(item_ids)), EvidenceItem.project_id == project_id, live_items(),
        EvidenceItem.consent_to_quote.is_(True), EvidenceItem.quote != "")))


def withhold_quotes(project_id: int, *contents: dict[str, Any] | None) -> list[dict[str, Any] | None]:
    """Copies of saved contents fit to show today: a quote stays only while its item is in the library,
    out of the trash, still holds a quote and the person still consents to it.

    A snapshot keeps what it stored (it is a record), but consent can be withdrawn after the snapshot
    was taken, and a withdrawn quote must never be shown again. One query for all the contents.
    """
    copies = [copy.deepcopy(content) if content is not None else None for content in contents]
    entries = [entry for content in copies if content is not None for entry in _entries(content)]
    quotable = quotable_items(project_id, {entry["item_id"] for entry in entries if entry.get("quote")})
    for entry in entries:
        if entry.get("quote") and entry["item_id"] not in quotable:
            entry["quote"], entry["pseudonym"], entry["quote_withheld"] = "", "", True
    return copies


# The conclusion and snapshots ------------------------------------------------------------------

def save_conclusion(project: Project, story: Story | None, text: str, user: User | None) -> Story:
    """Create the story row on the first save; the caller has checked the version."""
    if story is None:
        story = Story(project_id=project.id)
        db.session.add(story)
    story.conclusion = text
    story.updated_at = utcnow()
    story.updated_by = user
    db.session.flush()
    return story


def snapshots_query(project: Project):
    """A project's snapshots, newest first, without their (large) content."""
    return versions_query(StorySnapshot, StorySnapshot.content, project.id)


def save_snapshot(project: Project, name: str, user: User | None) -> StorySnapshot:
    """Freeze the story as it reads now, numbered after the project's latest snapshot.

    Two saves at once may pick the same number: the unique constraint refuses one of them
    (IntegrityError, at this flush or at the commit); take_snapshot tries once more.
    """
    content = build_content(project)  # before the number, so the window for another save to take it stays short
    snapshot = StorySnapshot(project_id=project.id, number=next_number(StorySnapshot, project.id), name=name,
                             content=content, created_by=user)
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


SAVE_ATTEMPTS = 2  # a second clash in a row means many are saving at once: the page asks to save again


def take_snapshot(project: Project, name: str, user: User | None) -> StorySnapshot | None:
    """Save and commit a snapshot; None if others took the number at each attempt.

    Someone saving at the same moment may take our number; then we take the next one.
    """
    for _attempt in range(SAVE_ATTEMPTS):
        try:
            snapshot = save_snapshot(project, name, user)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return snapshot
    return None


