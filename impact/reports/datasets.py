"""The project's data as tables to hand over (CSV, XLSX): cards, actions, responses, evidence, its links,
assessments and claims. Each dataset is one SQL query (claims: two), whatever the project's size.

Only what the team's own pages show: evidence in the trash is left out, and a quote appears only
with its speaker's consent.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, select

from impact.assessment.models import Assessment
from impact.cards.models import Action, ActionCard, action_steps
from impact.events.models import Event
from impact.evidence.models import EvidenceItem, EvidenceLink
from impact.evidence.queries import live_items
from impact.extensions import db
from impact.followups.models import ActionProgress, Campaign, FollowUp, Response
from impact.toc.models import Assumption, InfluencingFactor, Link, Step
from impact.tracing.services import claims_with_posteriors


@dataclass(frozen=True)
class Dataset:
    name: str  # in the file name and as the sheet's name
    title: str
    columns: tuple[str, ...]
    rows: Callable[[int], Iterable[tuple]]


def _value(value):
    return value.value if isinstance(value, enum.Enum) else value


def _cards(project_id: int):
    return db.session.execute(
        select(ActionCard.id, Event.title, Event.event_date, ActionCard.name, ActionCard.email,
               ActionCard.organisation, ActionCard.partner_group, ActionCard.source, ActionCard.created_at)
        .join(Event, Event.id == ActionCard.event_id)
        .where(ActionCard.project_id == project_id).order_by(Event.event_date, ActionCard.id))


def _actions(project_id: int):
    steps = (select(action_steps.c.action_id, func.count().label("steps")).group_by(action_steps.c.action_id)
             .subquery())
    return db.session.execute(
        select(Action.id, Action.card_id, Action.position, Action.text, func.coalesce(steps.c.steps, 0))
        .outerjoin(steps, steps.c.action_id == Action.id)
        .where(Action.project_id == project_id).order_by(Action.card_id, Action.position))


def _responses(project_id: int):
    quoted = and_(Response.consent_to_quote.is_(True))
    return db.session.execute(
        select(Response.id, FollowUp.card_id, Campaign.subject, Response.submitted_at, ActionProgress.action_id,
               ActionProgress.progress, ActionProgress.helped, ActionProgress.hindered, Response.helped,
               Response.hindered, Response.anything_else, Response.consent_to_quote,
               case((quoted, Response.pseudonym), else_=literal("")))
        .join(FollowUp, FollowUp.id == Response.followup_id).join(Campaign, Campaign.id == FollowUp.campaign_id)
        .outerjoin(ActionProgress, ActionProgress.response_id == Response.id)
        .where(Campaign.project_id == project_id).order_by(Response.id, ActionProgress.action_id))


def _evidence(project_id: int):
    return db.session.execute(
        select(EvidenceItem.id, EvidenceItem.kind, EvidenceItem.title, EvidenceItem.evidence_date,
               EvidenceItem.source, EvidenceItem.partner_group, EvidenceItem.summary,
               case((EvidenceItem.consent_to_quote.is_(True), EvidenceItem.quote), else_=literal("")),
               case((EvidenceItem.consent_to_quote.is_(True), EvidenceItem.pseudonym), else_=literal("")),
               EvidenceItem.consent_to_quote, EvidenceItem.file_name)
        .where(EvidenceItem.project_id == project_id, live_items()).order_by(EvidenceItem.evidence_date,
                                                                             EvidenceItem.id))


def _links(project_id: int):
    target_kind = case((EvidenceLink.step_id.is_not(None), literal("step")),
                       (EvidenceLink.link_id.is_not(None), literal("link")),
                       (EvidenceLink.assumption_id.is_not(None), literal("assumption")), else_=literal("factor"))
    source, target = Step.__table__.alias("source"), Step.__table__.alias("target")
    link_title = source.c.title + literal(" → ") + target.c.title
    title = func.coalesce(Step.title, link_title, Assumption.text, InfluencingFactor.title)
    return db.session.execute(
        select(EvidenceLink.id, EvidenceLink.item_id, target_kind, title, EvidenceLink.stance, EvidenceLink.strength,
               EvidenceLink.origin, EvidenceLink.note)
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.item_id)
        .outerjoin(Step, Step.id == EvidenceLink.step_id)
        .outerjoin(Link, Link.id == EvidenceLink.link_id)
        .outerjoin(source, source.c.id == Link.source_step_id).outerjoin(target, target.c.id == Link.target_step_id)
        .outerjoin(Assumption, Assumption.id == EvidenceLink.assumption_id)
        .outerjoin(InfluencingFactor, InfluencingFactor.id == EvidenceLink.factor_id)
        .where(EvidenceItem.project_id == project_id, live_items()).order_by(EvidenceLink.item_id, EvidenceLink.id))


def _assessments(project_id: int):
    source, target = Step.__table__.alias("source"), Step.__table__.alias("target")
    return db.session.execute(
        select(Assessment.id, case((Assessment.step_id.is_not(None), literal("step")), else_=literal("link")),
               func.coalesce(Step.title, source.c.title + literal(" → ") + target.c.title), Assessment.number,
               Assessment.progress, Assessment.confidence, Assessment.rationale, Assessment.alternatives,
               Assessment.created_at)
        .outerjoin(Step, Step.id == Assessment.step_id).outerjoin(Link, Link.id == Assessment.link_id)
        .outerjoin(source, source.c.id == Link.source_step_id).outerjoin(target, target.c.id == Link.target_step_id)
        .where(Assessment.project_id == project_id, Assessment.refused.is_(False))
        .order_by(Assessment.created_at, Assessment.id))


def _claims(project_id: int):
    titles = dict(db.session.execute(select(Step.id, Step.title).where(Step.project_id == project_id)).all())
    for claim in claims_with_posteriors(project_id):
        yield (claim.id, claim.statement, titles.get(claim.step_id, "") if claim.step_id else "", claim.prior,
               claim.posterior, claim.tests)


DATASETS = (
    Dataset("cards", "Action cards", ("card_id", "event", "event_date", "name", "email", "organisation",
                                      "partner_group", "source", "created_at"), _cards),
    Dataset("actions", "Actions", ("action_id", "card_id", "slot", "action", "steps_tagged"), _actions),
    Dataset("responses", "Follow-up responses", (
        "response_id", "card_id", "campaign", "submitted_at", "action_id", "progress", "action_helped",
        "action_hindered", "helped", "hindered", "anything_else", "consent_to_quote", "pseudonym"), _responses),
    Dataset("evidence", "Evidence", ("item_id", "kind", "title", "date", "source", "partner_group", "summary",
                                     "quote", "pseudonym", "consent_to_quote", "file_name"), _evidence),
    Dataset("evidence_links", "Evidence links", ("link_id", "item_id", "target_kind", "target", "stance",
                                                 "strength", "origin", "note"), _links),
    Dataset("assessments", "Assessments", ("assessment_id", "target_kind", "target", "revision", "progress",
                                           "confidence", "rationale", "alternatives", "assessed_at"), _assessments),
    Dataset("claims", "Contribution claims", ("claim_id", "statement", "step", "prior", "posterior", "tests"),
            _claims),
)
BY_NAME = {dataset.name: dataset for dataset in DATASETS}


def rows_of(dataset: Dataset, project_id: int) -> Iterable[tuple]:
    for row in dataset.rows(project_id):
        yield tuple(_value(value) for value in row)
