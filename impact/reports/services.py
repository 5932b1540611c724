"""The report data (INTERFACES.md): the same dictionary for report.json and ``flask report``."""
from __future__ import annotations

from flask import Response, current_app
from sqlalchemy import select

from impact.assessment.queries import current_assessments
from impact.evidence.models import EvidenceTally
from impact.evidence.queries import step_voices, tally_sums
from impact.extensions import db
from impact.features import page_context
from impact.followups.tracking import GroupFigures, project_tracking
from impact.projects.kept import kept_data
from impact.projects.models import PartnerGroup, Project
from impact.projects.permissions import Need, may
from impact.toc.models import InfluencingFactor, Level, Step
from impact.tracing.services import claims_with_posteriors


def _rate(figures: GroupFigures) -> float | None:
    rate = figures.response_rate
    return round(rate, 4) if rate is not None else None


def _evidence_counts(project_id: int, kind: str) -> dict[int, int]:
    """Live (not trashed) items of the project linked to each target of the kind, from the evidence tally
    (an item links to a target once, so its links are its items)."""
    return dict(tally_sums(project_id, EvidenceTally.target_id, kind=kind).all())


def _value(rating) -> str | None:
    return rating.value if rating is not None else None


NOT_PUBLISHED = {"code": "not_published", "message": "No version of the report has been published yet.",
                 "fields": {}}


def report_response(project: Project) -> Response | None:
    """The report data this request's user may read, as report.json and the API send it: the live project's
    for its members (encoded once per change: encoding was a sixth of a kept report's time), and for readers
    of the report alone (funders) the latest published version's, never the live project (None before one)."""
    if may(project, Need.READ):
        text = kept_data("report.json", project, lambda: _as_json(report_data(project)))
    else:
        published = page_context("reports.for_report_readers", project=project).get("report")
        text = None if published is None else _as_json(published)
    return None if text is None else current_app.response_class(text, mimetype=current_app.json.mimetype)


def _as_json(data: dict) -> str:
    return f"{current_app.json.dumps(data)}\n"  # as flask.jsonify writes it


def report_data(project: Project) -> dict:
    tracking = project_tracking(project.id)
    step_counts = _evidence_counts(project.id, "step")
    factor_counts = _evidence_counts(project.id, "factor")
    by_step, _ = current_assessments(project.id)
    voices = step_voices(project.id)
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
        # What parts built on the chain add (practitioner research projects...), under their own keys.
        **page_context("reports.data", project=project),
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
        # Progress and confidence of each step's current assessment (null until it is assessed).
        "steps": [{"id": step_id, "level": level, "title": title, "evidence_count": step_counts.get(step_id, 0),
                   "progress": _value(getattr(by_step.get(step_id), "progress", None)),
                   "confidence": _value(getattr(by_step.get(step_id), "confidence", None)),
                   "voice": {group.value: voices[step_id].counts.get(group, 0) if step_id in voices else 0
                             for group in PartnerGroup}}
                  for step_id, title, level in steps],
        "factors": [{"id": factor.id, "title": factor.title, "direction": factor.direction.value,
                     "evidence_count": factor_counts.get(factor.id, 0)} for factor in factors],
        # Every claim recorded, with its posterior (null when the evidence leaves Bayes' rule undefined).
        # Claims are kept while tracing is off but belong to no page then, so the report leaves them out too.
        "claims": [{"id": claim.id, "title": claim.statement, "prior": claim.prior, "posterior": claim.posterior}
                   for claim in claims_with_posteriors(project.id)] if project.contribution_tracing else [],
    }
