"""Reading assessments: the current one of every step and link, in a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from impact.assessment.comments import comments_on
from impact.assessment.models import Assessment, EvidenceStandard
from impact.evidence.models import EvidenceLink, EvidenceTally
from impact.evidence.queries import TALLY_STANCE, evidence_by_target, tally_sums
from impact.extensions import db

DEFAULT_STANDARDS = {
    "low": "One source only, or only the project team's own view; no one outside the team has confirmed it.",
    "medium": "Two or more sources agree, from at least two partner groups, and nothing strong challenges it.",
    "high": "Several independent sources across partner groups (including practitioners' or service users' own "
            "accounts or documents) agree, and the alternative explanations have been considered and ruled out "
            "or weighed.",
}


def current_revisions(project_id: int):
    """A subquery of the ids (``.c.id``) of the latest applied revision of each step and link of the project."""
    # Ranked within each step and link (NULLs partition together, so (step, NULL) and (NULL, link) are
    # each one part) and joined on the id: a join on the latest number per part had to compare
    # COALESCEd keys row by row, 90 ms at scale 3 on SQLite.
    ranked = (
        select(Assessment.id, func.row_number().over(partition_by=(Assessment.step_id, Assessment.link_id),
                                                     order_by=Assessment.number.desc()).label("rank"))
        .where(Assessment.project_id == project_id, Assessment.refused.is_(False))
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank == 1).subquery()


def current_assessments_query(project_id: int):
    """The latest applied revision of each step and link of the project, as a select()."""
    current = aliased(Assessment)
    latest = current_revisions(project_id)
    return (
        select(current)
        .join(latest, latest.c.id == current.id)
        .options(selectinload(current.author), selectinload(current.assumption_states))
    )


def current_assessments(project_id: int) -> tuple[dict[int, Assessment], dict[int, Assessment]]:
    """(by step id, by link id) for the whole project: two queries whatever its size."""
    by_step: dict[int, Assessment] = {}
    by_link: dict[int, Assessment] = {}
    for assessment in db.session.scalars(current_assessments_query(project_id)):
        if assessment.step_id is not None:
            by_step[assessment.step_id] = assessment
        else:
            by_link[assessment.link_id] = assessment
    return by_step, by_link


def evidence_standards(project_id: int) -> dict[str, str]:
    """The project's wording for low, medium and high confidence (the defaults until it writes its own)."""
    row = db.session.get(EvidenceStandard, project_id)
    if row is None:
        return dict(DEFAULT_STANDARDS)
    return {level: getattr(row, level) or DEFAULT_STANDARDS[level] for level in ("low", "medium", "high")}


def current_assessment(column, target_id: int) -> Assessment | None:
    """The current revision of one step (column=Assessment.step_id) or link (Assessment.link_id), with its
    author and assumption statuses: two queries."""
    return db.session.scalar(
        select(Assessment)
        .where(column == target_id, Assessment.refused.is_(False))
        .order_by(Assessment.number.desc())
        .limit(1)
        .options(joinedload(Assessment.author), selectinload(Assessment.assumption_states))
    )


def history_query(column, target_id: int):
    """Every revision of a step or link, applied or refused, newest first, as a select() to paginate."""
    return (
        select(Assessment)
        .where(column == target_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .options(joinedload(Assessment.author), selectinload(Assessment.assumption_states))
    )


def revisions_numbered(column, target_id: int, numbers) -> dict[int, Assessment]:
    """The applied revisions of a step or link with these numbers, by number (one query plus statuses)."""
    wanted = sorted({n for n in numbers if n})
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Assessment)
        .where(column == target_id, Assessment.refused.is_(False), Assessment.number.in_(wanted))
        .options(selectinload(Assessment.assumption_states))
    )
    return {row.number: row for row in rows}


def evidence_counts(project_id: int) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """({step id: {stance value: n}}, {link id: {...}}) of live evidence, from the evidence tally (one query)."""
    by_target: dict[str, dict[int, dict[str, int]]] = {"step": defaultdict(dict), "link": defaultdict(dict)}
    for kind, target_id, stance, count in tally_sums(project_id, EvidenceTally.target_kind, EvidenceTally.target_id,
                                                     TALLY_STANCE, kind=("step", "link")):
        by_target[kind][target_id][stance] = count
    return by_target["step"], by_target["link"]


def beside_the_form(project_id: int, column, target_id: int, current: Assessment | None) -> dict:
    """What the assessment form shows beside it: the evidence on the step or link (one query), and the
    links to it made after the current assessment was saved, which that assessment has not weighed."""
    evidence = evidence_by_target(project_id, column, [target_id]).get(target_id)
    unseen = [link for link in evidence.all if link.created_at > current.created_at] \
        if evidence is not None and current is not None else []
    return {"evidence": evidence, "unseen": unseen}


def step_page(project_id: int, step_id: int, factor_ids) -> dict:
    """What the step page shows besides the chain: its assessment, the evidence for and against it and its
    influencing factors. A fixed number of queries whatever the amount of evidence."""
    return {
        "assessment": current_assessment(Assessment.step_id, step_id),
        "standards": evidence_standards(project_id),
        "evidence": evidence_by_target(project_id, EvidenceLink.step_id, [step_id]).get(step_id),
        "factor_evidence": evidence_by_target(project_id, EvidenceLink.factor_id, list(factor_ids)),
        "comments": comments_on([step_id])[step_id],
    }


def link_page(project_id: int, link_id: int, assumption_ids) -> dict:
    """The same for the link page: assessment (with assumption statuses), evidence on the link and on each
    of its assumptions and risks."""
    return {
        "assessment": current_assessment(Assessment.link_id, link_id),
        "standards": evidence_standards(project_id),
        "evidence": evidence_by_target(project_id, EvidenceLink.link_id, [link_id]).get(link_id),
        "assumption_evidence": evidence_by_target(project_id, EvidenceLink.assumption_id, list(assumption_ids)),
    }
