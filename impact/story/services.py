"""Assembling the contribution story.

The story is built as one JSON-able dict (the "content"): the live page renders it, a
snapshot stores it as it is, and comparisons diff two of them. So the live page and a
snapshot read from years ago go through the same template, and a snapshot holds only
what the page would show (never a quote without consent). A stored quote is shown again
only while its consent lasts (withhold_quotes).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from impact.assessment.models import Assessment, AssumptionState, Confidence, ProgressRating
from impact.assessment.queries import current_assessments, evidence_standards
from impact.auth.models import User
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.evidence.queries import EvidenceFor, evidence_by_target, live_items
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup, Project
from impact.story.models import Story, StorySnapshot
from impact.toc.models import AssumptionKind, FactorDirection
from impact.toc.services import load_chain
from impact.toc.views import coloured_diagram
from impact.tracing.services import claims_with_posteriors

CONTENT_VERSION = 1

_LABELS = {
    "progress": ProgressRating, "confidence": Confidence, "stance": Stance, "strength": Strength,
    "kind": EvidenceKind, "group": PartnerGroup, "direction": FactorDirection, "state": AssumptionState,
    "assumption_kind": AssumptionKind,
}


def label(what: str, value: str | None) -> str:
    """The words for a stored enum value; an old snapshot may hold a value that no longer exists."""
    if value is None:
        return "Not assessed" if what in ("progress", "confidence") else "Not recorded"
    try:
        return _LABELS[what](value).label
    except (KeyError, ValueError):
        return str(value).replace("_", " ").capitalize()


# Building the content -------------------------------------------------------------------------

def _entry(link: EvidenceLink) -> dict[str, Any]:
    item = link.item
    consented = bool(item.quote) and item.consent_to_quote
    return {
        "item_id": item.id, "title": item.title, "kind": item.kind.value, "date": item.evidence_date.isoformat(),
        "partner_group": item.partner_group.value, "stance": link.stance.value, "strength": link.strength.value,
        "note": link.note,
        # A quote leaves the database only with consent, so no page or snapshot can ever show it otherwise.
        "quote": item.quote if consented else "",
        "pseudonym": item.pseudonym if consented else "",
        "quote_withheld": bool(item.quote) and not item.consent_to_quote,
    }


def _evidence(found: dict[int, EvidenceFor], target_id: int) -> list[dict[str, Any]]:
    ev = found.get(target_id)
    return [_entry(link) for link in ev.all] if ev else []


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


def build_content(project: Project) -> dict[str, Any]:
    """Everything the story page shows, as plain data (a fixed number of queries whatever the size)."""
    chain = load_chain(project.id)
    by_step, by_link = current_assessments(project.id)
    ev_steps = evidence_by_target(project.id, EvidenceLink.step_id)
    ev_links = evidence_by_target(project.id, EvidenceLink.link_id)
    ev_assumptions = evidence_by_target(project.id, EvidenceLink.assumption_id)
    ev_factors = evidence_by_target(project.id, EvidenceLink.factor_id)
    claims = claims_with_posteriors(project.id) if project.contribution_tracing else []
    story = load_story(project.id)
    titles = {step.id: step.title for step in chain.steps}
    link_titles = {link.id: f"{titles.get(link.source_step_id, '')} → {titles.get(link.target_step_id, '')}"
                   for link in chain.links}

    steps = [
        {
            "id": step.id, "level_id": step.level_id, "title": step.title, "description": step.description,
            **_assessment(by_step.get(step.id)),
            "evidence": _evidence(ev_steps, step.id),
            "factors": [
                {"id": factor.id, "title": factor.title, "direction": factor.direction.value,
                 "description": factor.description, "evidence": _evidence(ev_factors, factor.id)}
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
            "evidence": _evidence(ev_links, link.id),
            "assumptions": [
                {"id": a.id, "kind": a.kind.value, "text": a.text, "status": states.get(a.id),
                 "evidence": _evidence(ev_assumptions, a.id)}
                for a in chain.assumptions_by_link.get(link.id, [])
            ],
        })
    return {
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


def withhold_quotes(project_id: int, *contents: dict[str, Any] | None) -> list[dict[str, Any] | None]:
    """Copies of saved contents fit to show today: a quote stays only while its item is in the library,
    out of the trash, still holds a quote and the person still consents to it.

    A snapshot keeps what it stored (it is a record), but consent can be withdrawn after the snapshot
    was taken, and a withdrawn quote must never be shown again. One query for all the contents.
    """
    copies = [copy.deepcopy(content) if content is not None else None for content in contents]
    entries = [entry for content in copies if content is not None for entry in _entries(content)]
    cited = {entry["item_id"] for entry in entries if entry.get("quote")}
    quotable = set(db.session.scalars(
        select(EvidenceItem.id).where(
            EvidenceItem.id.in_(sorted(cited)), EvidenceItem.project_id == project_id, live_items(),
            EvidenceItem.consent_to_quote.is_(True), EvidenceItem.quote != "",
        )
    ))
    for entry in entries:
        if entry.get("quote") and entry["item_id"] not in quotable:
            entry["quote"], entry["pseudonym"], entry["quote_withheld"] = "", "", True
    return copies


# The view-model both the live page and a snapshot render ---------------------------------------

@dataclass
class StoryLevel:
    id: int
    name: str
    steps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StoryView:
    content: dict[str, Any]
    levels: list[StoryLevel]
    links_from: dict[int, list[dict[str, Any]]]
    diagram: Markup
    project_id: int
    live: bool  # a snapshot's steps and items may no longer exist, so it links nowhere
    linked: bool  # live, and the reader may open the chain and evidence pages (funders may not)

    def step_href(self, step_id: int) -> str:
        return url_for("toc.step", project_id=self.project_id, step_id=step_id)

    def link_href(self, link_id: int) -> str:
        return url_for("toc.link", project_id=self.project_id, link_id=link_id)

    def item_href(self, item_id: int) -> str:
        return url_for("evidence.item", project_id=self.project_id, item_id=item_id)


def story_view(content: dict[str, Any], project: Project, *, live: bool, may_read: bool, title: str) -> StoryView:
    levels = [StoryLevel(level["id"], level["name"]) for level in content["levels"]]
    by_id = {level.id: level for level in levels}
    for step in content["steps"]:
        if step["level_id"] in by_id:
            by_id[step["level_id"]].steps.append(step)
    links_from: dict[int, list[dict[str, Any]]] = {}
    for link in content["links"]:
        links_from.setdefault(link["source"], []).append(link)
    linked = live and may_read
    href = (lambda step_id: url_for("toc.step", project_id=project.id, step_id=step_id)) if linked else None
    diagram = coloured_diagram(content["levels"], content["steps"], content["links"], title=title, href=href)
    return StoryView(content, levels, links_from, diagram, project.id, live, linked)


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
    return (
        select(StorySnapshot).where(StorySnapshot.project_id == project.id)
        .order_by(StorySnapshot.number.desc())
        .options(defer(StorySnapshot.content, raiseload=True), selectinload(StorySnapshot.created_by))
    )


def save_snapshot(project: Project, name: str, user: User | None) -> StorySnapshot:
    """Freeze the story as it reads now, numbered after the project's latest snapshot.

    Two saves at once may pick the same number: the unique constraint refuses one of them
    (IntegrityError, at this flush or at the commit) and the route tries once more.
    """
    content = build_content(project)
    number = (db.session.scalar(
        select(func.max(StorySnapshot.number)).where(StorySnapshot.project_id == project.id)
    ) or 0) + 1
    snapshot = StorySnapshot(project_id=project.id, number=number, name=name, content=content, created_by=user)
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def get_snapshot_or_404(project: Project, number: int) -> StorySnapshot:
    return db.first_or_404(
        select(StorySnapshot).where(StorySnapshot.project_id == project.id, StorySnapshot.number == number)
    )
