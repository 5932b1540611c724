"""Assembling the contribution story.

The story is built as one JSON-able dict (the "content"): the live page renders it, a
snapshot stores it as it is, and comparisons diff two of them. So the live page and a
snapshot read from years ago go through the same template, and a snapshot holds only
what the page would show (never a quote without consent). A stored quote is shown again
only while its consent lasts (withhold_quotes).
"""
from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy import String, case, select, type_coerce
from sqlalchemy.exc import IntegrityError

from impact.assessment.comments import comments_on
from impact.assessment.models import Assessment, AssumptionState, Confidence, ProgressRating
from impact.assessment.queries import current_assessments, evidence_standards
from impact.auth.models import User
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, Stance, Strength
from impact.evidence.queries import live_items
from impact.evidence.voice import Voices, voices
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup, Project
from impact.snapshots import next_number, versions_query
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

_TARGET_COLUMNS = {
    "step": EvidenceLink.step_id, "link": EvidenceLink.link_id,
    "assumption": EvidenceLink.assumption_id, "factor": EvidenceLink.factor_id,
}


def _evidence_entries(project_id: int) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """{target kind: {target id: [entry, ...]}} for every live evidence link of the project.

    One query of plain columns, not ORM objects: at 20,000 evidence links, loading the links and
    their items as objects took 1.7 s of the page's 3 s.
    """
    rows = db.session.execute(
        select(
            EvidenceLink.step_id, EvidenceLink.link_id, EvidenceLink.assumption_id, EvidenceLink.factor_id,
            # The enums as their stored values: the content holds values, and turning 80,000 of them
            # into Enum members and back cost a fifth of the page.
            type_coerce(EvidenceLink.stance, String), type_coerce(EvidenceLink.strength, String), EvidenceLink.note,
            EvidenceItem.id, EvidenceItem.title, type_coerce(EvidenceItem.kind, String), EvidenceItem.evidence_date,
            type_coerce(EvidenceItem.partner_group, String),
            # A link's own passage (coded text) is what bears on its target; else the item's quote.
            case((EvidenceLink.quote != "", EvidenceLink.quote), else_=EvidenceItem.quote), EvidenceItem.pseudonym,
            EvidenceItem.consent_to_quote,
        )
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.item_id)
        .where(EvidenceItem.project_id == project_id, live_items())
        .order_by(EvidenceItem.evidence_date.desc(), EvidenceItem.id.desc(), EvidenceLink.id)
    )
    found: dict[str, dict[int, list[dict[str, Any]]]] = {kind: defaultdict(list) for kind in _TARGET_COLUMNS}
    for (step_id, link_id, assumption_id, factor_id, stance, strength, note,
         item_id, title, kind, evidence_date, group, quote, pseudonym, consent) in rows:
        consented = bool(quote) and consent
        entry = {
            "item_id": item_id, "title": title, "kind": kind, "date": evidence_date.isoformat(),
            "partner_group": group, "stance": stance, "strength": strength, "note": note,
            # A quote leaves the database only with consent, so no page or snapshot can ever show it otherwise.
            "quote": quote if consented else "",
            "pseudonym": pseudonym if consented else "",
            "quote_withheld": bool(quote) and not consent,
        }
        for target, target_id in (("step", step_id), ("link", link_id), ("assumption", assumption_id),
                                  ("factor", factor_id)):
            if target_id is not None:
                found[target][target_id].append(entry)
                break
    return found


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
    evidence = _evidence_entries(project.id)
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


# The view-model both the live page and a snapshot render ---------------------------------------

STRONGEST_SHOWN = 5  # evidence entries shown per side (for, against, mixed) of a part, unless asked for all
COMPACT_SHOWN = 3  # entries shown for a factor or an assumption, whichever way they point
_STRENGTH_RANK = {Strength.STRONG.value: 0, Strength.MODERATE.value: 1, Strength.WEAK.value: 2}


@dataclass(frozen=True)
class EvidenceSide:
    stance: str
    total: int
    shown: list[dict[str, Any]]

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)


def _strength_order(entry: dict[str, Any]) -> tuple[int, bool]:
    return _STRENGTH_RANK.get(entry["strength"], 3), not entry.get("quote")


def evidence_sides(entries: list[dict[str, Any]], limit: int | None) -> list[EvidenceSide]:
    """A part's evidence for, against and mixed: on each side the strongest first, quotes before
    none, then newest (the content's order), cut to limit entries.

    A part can gather hundreds of items; a reader of the story needs the counts and the
    strongest few, and the step's own page (or the full story) lists them all.
    """
    by_stance: dict[str, list[dict[str, Any]]] = {stance.value: [] for stance in (
        Stance.SUPPORTS, Stance.CHALLENGES, Stance.MIXED)}
    for entry in entries:
        by_stance.setdefault(entry["stance"], []).append(entry)
    sides = []
    for stance, some in by_stance.items():
        ranked = sorted(some, key=_strength_order)
        sides.append(EvidenceSide(stance, len(some), ranked if limit is None else ranked[:limit]))
    return sides


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
    full: bool = False  # every evidence entry, not only the strongest few of each side
    _item_href: str | None = None

    def sides(self, entries: list[dict[str, Any]]) -> list[EvidenceSide]:
        return evidence_sides(entries, None if self.full else STRONGEST_SHOWN)

    @staticmethod
    def voices(entries: list[dict[str, Any]]) -> Voices:
        return voices((entry["item_id"], PartnerGroup(entry["partner_group"])) for entry in entries)

    @staticmethod
    def tally(entries: list[dict[str, Any]]) -> str:
        """How much evidence a factor or an assumption has, in words: "2 for, 0 against, 1 mixed"."""
        if not entries:
            return "no evidence yet"
        totals = {stance: sum(1 for entry in entries if entry["stance"] == stance)
                  for stance in ("supports", "challenges", "mixed")}
        mixed = f", {totals['mixed']} mixed" if totals["mixed"] else ""
        return f"{totals['supports']} for, {totals['challenges']} against{mixed}"

    def strongest(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """For a factor or an assumption: one short list, strongest first, whichever way it points."""
        ranked = sorted(entries, key=_strength_order)
        return ranked if self.full else ranked[:COMPACT_SHOWN]

    def step_href(self, step_id: int) -> str:
        return url_for("toc.step", project_id=self.project_id, step_id=step_id)

    def link_href(self, link_id: int) -> str:
        return url_for("toc.link", project_id=self.project_id, link_id=link_id)

    def item_href(self, item_id: int) -> str:
        # Built once and filled in: url_for for each of thousands of entries was a sixth of the page.
        if self._item_href is None:
            self._item_href = url_for("evidence.item", project_id=self.project_id, item_id=2_000_000_000)
        return self._item_href.replace("2000000000", str(item_id))


def _one_voice_flag(step_voices: Voices) -> str | None:
    group = step_voices.only_group
    return f"rests on {group.label.lower()} evidence alone" if group else None


def story_view(content: dict[str, Any], project: Project, *, live: bool, may_read: bool, title: str,
               full: bool = False) -> StoryView:
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
    # A step resting on one partner group's word is flagged on the diagram too, not only in its section.
    steps = [{**step, "flag": _one_voice_flag(StoryView.voices(step.get("evidence", [])))} for step in content["steps"]]
    diagram = coloured_diagram(content["levels"], steps, content["links"], title=title, href=href)
    return StoryView(content, levels, links_from, diagram, project.id, live, linked, full)


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


