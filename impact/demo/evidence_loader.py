"""Add the seed's other evidence to the demo project, link it to the chain, assess it and tell the story."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from impact.assessment.models import (
    Assessment,
    AssumptionState,
    AssumptionStatus,
    Confidence,
    EvidenceStandard,
    ProgressRating,
)
from impact.auth.models import User
from impact.auth.services import find_user_by_email
from impact.demo import evidence_data as data
from impact.demo import seed_data
from impact.demo.cards_loader import step_titles
from impact.demo.meeting_loader import is_meeting_item, item_title, load_governance_meetings, load_meeting_item
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.extensions import db
from impact.projects.models import PartnerGroup, Project
from impact.story.models import Story, StorySnapshot
from impact.story.services import build_content
from impact.toc.services import Chain, load_chain
from impact.tracing.bayes import PRESETS
from impact.tracing.models import Claim, ClaimTest, TestType


def _at(day: str) -> dt.datetime:
    """Midday UTC on a seed date: records made on the day, not when the demo was loaded."""
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.timezone.utc)


class _Targets:
    """Finds the parts of the chain the data names: steps by key, links by their steps' keys,
    assumptions by link and text, factors by title. Parts the team renamed or deleted are None."""

    def __init__(self, chain: Chain):
        by_title = {step.title: step for step in chain.steps}
        self.steps = {key: by_title[title] for key, title in step_titles().items() if title in by_title}
        self._links = {(link.source_step_id, link.target_step_id): link for link in chain.links}
        self.assumptions = {(link_id, a.text): a for link_id, items in chain.assumptions_by_link.items()
                            for a in items}
        self.factors = {f.title: f for factors in chain.factors_by_step.values() for f in factors}

    def link(self, source_key: str, target_key: str):
        source, target = self.steps.get(source_key), self.steps.get(target_key)
        if source is None or target is None:
            return None
        return self._links.get((source.id, target.id))

    def evidence_target(self, kind: str, ref) -> dict[str, int] | None:
        """The EvidenceLink column and id for a target named in the data, or None if it is not in the chain."""
        if kind == "step":
            target = self.steps.get(ref)
        elif kind == "link":
            target = self.link(*ref)
        elif kind == "assumption":
            link = self.link(ref[0], ref[1])
            target = self.assumptions.get((link.id, ref[2])) if link is not None else None
        else:
            target = self.factors.get(ref)
        return {f"{kind}_id": target.id} if target is not None else None


def demo_item_titles() -> list[str]:
    return [item_title(spec) if is_meeting_item(spec) else spec["title"] for spec in data.ITEMS]


def load_evidence_demo(project: Project) -> bool:
    """Returns False (and changes nothing) when the project already has the demo's evidence, even in the trash."""
    present = db.session.scalar(select(EvidenceItem.id).where(
        EvidenceItem.project_id == project.id, EvidenceItem.title.in_(demo_item_titles())).limit(1))
    if present is not None:
        return False
    lead = find_user_by_email(next(spec["email"] for spec in seed_data.USERS if spec.get("role") == "lead"))
    targets = _Targets(load_chain(project.id))
    items = _load_items(project, targets, lead, [spec for spec in data.ITEMS if spec["date"] <= data.INTERIM_DATE])
    _save_interim_snapshot(project, lead)
    items |= _load_items(project, targets, lead, [spec for spec in data.ITEMS if spec["date"] > data.INTERIM_DATE])
    _load_assessments(project, targets, lead)
    _load_claims(project, targets, items)
    _load_story(project, lead)
    load_governance_meetings(project)
    db.session.flush()
    return True


def _load_items(project: Project, targets: _Targets, lead: User | None, specs: list[dict]) -> dict[str, EvidenceItem]:
    items: dict[str, EvidenceItem] = {}
    for spec in specs:
        if is_meeting_item(spec):
            items[spec["key"]] = load_meeting_item(project, targets, lead, spec)
            continue
        author = find_user_by_email(spec["author"]) if spec.get("author") else lead
        when = _at(spec["date"])
        item = EvidenceItem(
            project_id=project.id, kind=EvidenceKind(spec["kind"]), title=spec["title"],
            evidence_date=dt.date.fromisoformat(spec["date"]), source=spec["source"],
            partner_group=PartnerGroup(spec["group"]), summary=spec["summary"], quote=spec.get("quote", ""),
            pseudonym=spec.get("pseudonym", ""), consent_to_quote=spec.get("consent", False),
            created_at=when, created_by=author,
        )
        for kind, ref, stance, strength, note in spec["links"]:
            target = targets.evidence_target(kind, ref)
            if target is None:
                continue
            item.links.append(EvidenceLink(stance=Stance(stance), strength=Strength(strength), note=note,
                                           origin=LinkOrigin.MANUAL, created_at=when,
                                           created_by_id=author.id if author else None, **target))
        db.session.add(item)
        items[spec["key"]] = item
    db.session.flush()
    return items


def _already_assessed(column, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(select(column).where(column.in_(ids)).distinct()))


def _load_assessments(project: Project, targets: _Targets, lead: User | None) -> None:
    """Revision 1 of each step and link the seed lets us judge; ones the team already assessed are left alone."""
    when = _at(data.ASSESSED_ON)
    author_id = lead.id if lead else None
    steps = {key: targets.steps[key] for key in data.STEP_ASSESSMENTS if key in targets.steps}
    done = _already_assessed(Assessment.step_id, [step.id for step in steps.values()])
    for key, step in steps.items():
        if step.id in done:
            continue
        progress, confidence, rationale, alternatives = data.STEP_ASSESSMENTS[key]
        db.session.add(Assessment(
            project_id=project.id, step_id=step.id, number=1, based_on=0, refused=False,
            progress=ProgressRating(progress), confidence=Confidence(confidence), rationale=rationale,
            alternatives=alternatives, author_id=author_id, created_at=when))

    links = {ends: targets.link(*ends) for ends in data.LINK_ASSESSMENTS}
    links = {ends: link for ends, link in links.items() if link is not None}
    done = _already_assessed(Assessment.link_id, [link.id for link in links.values()])
    for ends, link in links.items():
        if link.id in done:
            continue
        progress, confidence, rationale, alternatives, states = data.LINK_ASSESSMENTS[ends]
        assessment = Assessment(
            project_id=project.id, link_id=link.id, number=1, based_on=0, refused=False,
            progress=ProgressRating(progress), confidence=Confidence(confidence), rationale=rationale,
            alternatives=alternatives, author_id=author_id, created_at=when)
        for text, state in states.items():
            assumption = targets.assumptions.get((link.id, text))
            if assumption is not None:
                assessment.assumption_states.append(
                    AssumptionStatus(assumption_id=assumption.id, state=AssumptionState(state)))
        db.session.add(assessment)
    if db.session.get(EvidenceStandard, project.id) is None:
        db.session.add(EvidenceStandard(project_id=project.id, updated_at=when, **data.STANDARDS))
    db.session.flush()


def _load_claims(project: Project, targets: _Targets, items: dict[str, EvidenceItem]) -> None:
    project.contribution_tracing = True
    position = db.session.scalar(
        select(func.coalesce(func.max(Claim.position), -1) + 1).where(Claim.project_id == project.id))
    for spec in data.CLAIMS:
        step = targets.steps.get(spec["step"])
        claim = Claim(project_id=project.id, statement=spec["statement"], description=spec["description"],
                      step_id=step.id if step else None, prior=spec["prior"], position=position,
                      created_at=_at(data.ASSESSED_ON))
        position += 1
        for index, (description, kind, sensitivity, type_one_error, found, item_key) in enumerate(spec["tests"]):
            test_type = TestType(kind)
            if sensitivity is None:
                sensitivity, type_one_error = PRESETS[test_type]
            claim.tests.append(ClaimTest(
                description=description, test_type=test_type, sensitivity=sensitivity,
                type_one_error=type_one_error, found=found, item_id=items[item_key].id, position=index,
                created_at=_at(data.ASSESSED_ON)))
        db.session.add(claim)
    db.session.flush()


def _save_interim_snapshot(project: Project, lead: User | None) -> None:
    """The story as it read in March 2011: the evidence so far, nothing assessed yet, an interim conclusion.

    Built by the same code as any snapshot; only the conclusion is the interim one, as the story's
    own conclusion is the final one (loaded after).
    """
    content = build_content(project)
    content["conclusion"] = {"text": data.INTERIM_CONCLUSION, "updated_at": data.INTERIM_DATE}
    # The action-card responses are already in the library (loaded first) but came in July 2011.
    parts = [*content["steps"], *content["links"]]
    parts += [part for step in content["steps"] for part in step["factors"]]
    parts += [part for link in content["links"] for part in link["assumptions"]]
    for part in parts:
        part["evidence"] = [entry for entry in part["evidence"] if entry["date"] <= data.INTERIM_DATE]
    number = (db.session.scalar(
        select(func.max(StorySnapshot.number)).where(StorySnapshot.project_id == project.id)) or 0) + 1
    db.session.add(StorySnapshot(project_id=project.id, number=number, name=data.INTERIM_NAME, content=content,
                                 created_by=lead, created_at=_at(data.INTERIM_DATE)))
    db.session.flush()


def _load_story(project: Project, lead: User | None) -> None:
    """The team's conclusion, unless someone has already written one."""
    story = db.session.get(Story, project.id)
    if story is None:
        story = Story(project_id=project.id)
        db.session.add(story)
    if not (story.conclusion or "").strip():
        story.conclusion = data.CONCLUSION
        story.updated_at = _at(data.STORY_DATE)
        story.updated_by_id = lead.id if lead else None
    db.session.flush()
