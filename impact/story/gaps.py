"""Where the contribution story is weak (Mayne's step 5: seek out additional evidence).

All the evidence figures come from the evidence tally (impact/evidence/queries.tally_sums), kept by the
database per target, stance and partner group, so the page costs the same whatever the amount of evidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import case, func

from impact.assessment.models import AssumptionState, Confidence
from impact.assessment.queries import current_assessments
from impact.evidence.models import EvidenceTally, Stance
from impact.evidence.queries import TALLY_GROUP, TALLY_STANCE, tally_sums
from impact.projects.models import PartnerGroup, Project
from impact.toc.services import Chain, load_chain


@dataclass(frozen=True)
class Figures:
    """Evidence on one target: distinct live items by stance, and the partner groups behind the support."""

    total: int = 0
    supports: int = 0
    challenges: int = 0
    mixed: int = 0
    support_groups: int = 0
    support_group: str | None = None  # the group, when only one group supports it


@dataclass(frozen=True)
class Gap:
    label: str
    href: str
    note: str = ""


@dataclass
class Section:
    key: str
    heading: str
    explanation: str
    gaps: list[Gap] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.gaps)


def evidence_figures(project_id: int) -> dict[tuple[str, int], Figures]:
    """{("step_id", 7): Figures, ...} for every target with live evidence: the tally the database keeps
    added up per target, in one query. An item links to a target once, so links are distinct items."""
    def links_when(stance: Stance):
        return func.sum(case((TALLY_STANCE == stance.value, EvidenceTally.links), else_=0))

    def group_when_supports():
        return case((TALLY_STANCE == Stance.SUPPORTS.value, TALLY_GROUP))

    rows = tally_sums(project_id, EvidenceTally.target_kind, EvidenceTally.target_id, sums=(
        links_when(Stance.SUPPORTS), links_when(Stance.CHALLENGES), links_when(Stance.MIXED),
        func.count(func.distinct(group_when_supports())), func.min(group_when_supports())))
    return {(f"{kind}_id", target_id): Figures(total, supports, challenges, mixed, groups,
                                              group if groups == 1 else None)
            for kind, target_id, total, supports, challenges, mixed, groups, group in rows}


def _group_label(value: str | PartnerGroup | None) -> str:
    if isinstance(value, PartnerGroup):
        return value.label.lower()
    try:
        return PartnerGroup(value).label.lower()
    except ValueError:
        return str(value)


class _Targets:
    """Labels and page addresses of the chain's steps, links, assumptions and factors."""

    def __init__(self, project: Project, chain: Chain):
        self.project, self.chain = project, chain
        self.titles = {step.id: step.title for step in chain.steps}

    def step(self, step, note: str = "") -> Gap:
        return Gap(f"Step: {step.title}", url_for("toc.step", project_id=self.project.id, step_id=step.id), note)

    def link(self, link, note: str = "") -> Gap:
        label = f"Link: {self.titles.get(link.source_step_id, '?')} → {self.titles.get(link.target_step_id, '?')}"
        return Gap(label, url_for("toc.link", project_id=self.project.id, link_id=link.id), note)


def find_gaps(project: Project) -> list[Section]:
    chain = load_chain(project.id)
    figures = evidence_figures(project.id)
    by_step, by_link = current_assessments(project.id)
    targets = _Targets(project, chain)
    parts = [(step, "step_id", by_step.get(step.id), targets.step) for step in chain.steps] + [
        (link, "link_id", by_link.get(link.id), targets.link) for link in chain.links
    ]

    no_evidence = Section("no-evidence", "No evidence at all",
                          "Steps and links nothing has been linked to yet.")
    single_group = Section("single-group", "Support from a single partner group",
                           "All the supporting evidence comes from one partner group: look for other voices.")
    one_sided = Section("one-sided", "Evidence on one side only",
                        "Only evidence for, or only evidence against: has the other side been looked for?")
    weak = Section("low-confidence", "Low confidence or not yet assessed",
                   "Steps and links whose current assessment has low confidence, or which have never been assessed.")
    for obj, column, assessment, gap in parts:
        fig = figures.get((column, obj.id), Figures())
        if fig.total == 0:
            no_evidence.gaps.append(gap(obj))
        if fig.support_groups == 1:
            note = f"only {_group_label(fig.support_group)} evidence"
            if fig.challenges == 0 and fig.mixed == 0:
                note += "; no challenging evidence considered"
            single_group.gaps.append(gap(obj, note))
        if fig.total and fig.challenges == fig.mixed == 0:
            one_sided.gaps.append(gap(obj, "only evidence for it"))
        elif fig.total and fig.supports == fig.mixed == 0:
            one_sided.gaps.append(gap(obj, "only evidence against it"))
        if assessment is None:
            weak.gaps.append(gap(obj, "never assessed"))
        elif assessment.confidence == Confidence.LOW:
            weak.gaps.append(gap(obj, f"low confidence (progress: {assessment.progress.label.lower()})"))

    untested = Section("untested", "Untested assumptions and risks",
                       "No evidence is linked to them, and the link's current assessment does not say whether "
                       "they hold.")
    for link in chain.links:
        assessment = by_link.get(link.id)
        states = {s.assumption_id: s.state for s in assessment.assumption_states} if assessment else {}
        for assumption in chain.assumptions_by_link.get(link.id, []):
            tested = figures.get(("assumption_id", assumption.id), Figures()).total > 0
            if not tested and states.get(assumption.id, AssumptionState.UNKNOWN) == AssumptionState.UNKNOWN:
                note = f"{assumption.kind.label}: {assumption.text}"
                untested.gaps.append(targets.link(link, note))

    factors = Section("factors", "Influencing factors without evidence",
                      "Other factors whose influence nothing yet shows or rules out.")
    for factor in chain.factors:  # once each, however many steps it bears on
        if figures.get(("factor_id", factor.id), Figures()).total == 0:
            titles = chain.factor_step_titles(factor)
            factors.gaps.append(Gap(
                f"Factor: {factor.title} ({factor.direction.label.lower()})",
                url_for("toc.step", project_id=project.id, step_id=factor.step_id, _anchor="factors"),
                f"on the step{'s' if len(titles) > 1 else ''} " + ", ".join(f"“{title}”" for title in titles),
            ))
    return [no_evidence, single_group, one_sided, untested, weak, factors]
