"""The report data (INTERFACES.md): the same dictionary for report.json and ``flask report``."""
from __future__ import annotations

from sqlalchemy import func, select

from impact.evidence.models import EvidenceLink
from impact.extensions import db
from impact.followups.tracking import GroupFigures, project_tracking
from impact.projects.models import Project
from impact.toc.models import InfluencingFactor, Level, Step


def _rate(figures: GroupFigures) -> float | None:
    rate = figures.response_rate
    return round(rate, 4) if rate is not None else None


def _evidence_counts(column) -> dict[int, int]:
    return dict(db.session.execute(
        select(column, func.count(func.distinct(EvidenceLink.item_id))).where(column.is_not(None)).group_by(column)
    ).all())


def report_data(project: Project) -> dict:
    tracking = project_tracking(project.id)
    step_counts = _evidence_counts(EvidenceLink.step_id)
    factor_counts = _evidence_counts(EvidenceLink.factor_id)
    steps = db.session.execute(
        select(Step.id, Step.title, Level.name)
        .join(Level, Level.id == Step.level_id)
        .where(Step.project_id == project.id)
        .order_by(Level.position, Level.id, Step.position, Step.id)
    ).all()
    factors = db.session.scalars(
        select(InfluencingFactor).where(InfluencingFactor.project_id == project.id).order_by(InfluencingFactor.id)
    ).all()
    return {
        "project": {"id": project.id, "title": project.title, "question": project.question},
        "action_cards": {
            "cards": tracking.total.cards,
            "actions": tracking.actions,
            "followups_sent": tracking.total.sent,
            "bounced": tracking.total.bounced,
            "opted_out": tracking.opted_out,
            "respondents": tracking.total.respondents,
            "response_rate": _rate(tracking.total),
            "by_partner_group": {
                group.value: {"cards": figures.cards, "followups_sent": figures.sent,
                              "respondents": figures.respondents, "response_rate": _rate(figures)}
                for group, figures in tracking.by_group.items()
            },
            "progress": {level.value: count for level, count in tracking.progress.items()},
        },
        # Progress and confidence come from step assessments, which a later feature adds.
        "steps": [{"id": step_id, "level": level, "title": title, "evidence_count": step_counts.get(step_id, 0),
                   "progress": None, "confidence": None} for step_id, title, level in steps],
        "factors": [{"id": factor.id, "title": factor.title, "direction": factor.direction.value,
                     "evidence_count": factor_counts.get(factor.id, 0)} for factor in factors],
        "claims": [],
    }
