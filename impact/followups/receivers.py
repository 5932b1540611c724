"""What follow-ups answer when the parts they are built on announce something or ask about their rows."""
from __future__ import annotations

from sqlalchemy import exists, func, select

from impact.cards.signals import action_tags_changed, actions_answered, card_contacted, card_holds_evidence
from impact.extensions import db
from impact.followups import pseudonyms
from impact.followups.evidence import sync_response_evidence
from impact.followups.models import ActionProgress, Campaign, FollowUp, Response
from impact.mail.signals import mail_bounced, mail_settled
from impact.model_types import utcnow
from impact.projects import stamps
from impact.projects.signals import project_created


@project_created.connect
def _start_pseudonym_counters(project) -> None:
    """Counted from the start, so the project's first respondents are offered a name without reading them all."""
    pseudonyms.count_names(db.session, project.id)


@mail_bounced.connect
def _record_bounce(message, *, reason: str) -> None:
    """The follow-up's recipient is shown as bounced, and gets no reminder."""
    if message.about_kind != "followup" or message.about_id is None:
        return
    followup = db.session.get(FollowUp, message.about_id)
    if followup is not None and followup.bounced_at is None:
        followup.bounced_at = utcnow()
        followup.bounce_reason = reason[:200]


@mail_settled.connect_via("followup")
def _delivery_shows(kind, *, ids: list[int]) -> None:
    """The campaign and event pages show which follow-ups are waiting, delivered or not: their projects changed."""
    stamps.advance(db.session, db.session.scalars(
        select(Campaign.project_id).join(FollowUp, FollowUp.campaign_id == Campaign.id)
        .where(FollowUp.id.in_(ids)).distinct()))


@action_tags_changed.connect
def _follow_tag_changes(sender, *, action_ids: list[int]) -> None:
    """Answered actions that gained or lost a step: their responses' evidence links follow (the team's
    own links and judgements stay as they are, see sync_response_evidence)."""
    responses = db.session.scalars(
        select(Response).where(Response.id.in_(
            select(ActionProgress.response_id).where(ActionProgress.action_id.in_(action_ids))
        )).order_by(Response.id)
    )
    for response in responses:
        sync_response_evidence(response)


@card_contacted.connect
def _card_followed_up(card) -> bool:
    return bool(db.session.scalar(select(exists().where(FollowUp.card_id == card.id))))


@actions_answered.connect
def _answered(card, *, action_ids: list[int]) -> set[int]:
    return set(db.session.scalars(
        select(ActionProgress.action_id).where(ActionProgress.action_id.in_(action_ids)).distinct()))


@card_holds_evidence.connect
def _card_answered(card) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Response).join(FollowUp).where(FollowUp.card_id == card.id)) > 0
