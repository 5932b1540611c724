"""Response-rate figures for an event or a whole project, computed in SQL.

A card counts as *sent* when at least one follow-up to it was sent, *bounced* when a
follow-up to it bounced, and *responded* when a follow-up to it was answered. The
response rate is respondents over cards with a follow-up sent, so cards that were
never followed up (opted out, or entered after the send) do not dilute it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, select

from impact.cards.models import Action, ActionCard
from impact.events.models import Event
from impact.extensions import db
from impact.followups.models import ActionProgress, Campaign, FollowUp, Progress, Response
from impact.projects.models import PartnerGroup


@dataclass
class GroupFigures:
    cards: int = 0
    sent: int = 0
    bounced: int = 0
    respondents: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.sent if self.sent else None


@dataclass
class Tracking:
    total: GroupFigures
    actions: int
    opted_out: int
    by_group: dict[PartnerGroup, GroupFigures]
    progress: dict[Progress, int]
    needs_reminder: list[ActionCard] = field(default_factory=list)

    @property
    def progress_total(self) -> int:
        return sum(self.progress.values())


def _card_flags(card_filter):
    """One row per card: partner group, and whether it was sent / bounced / answered."""
    sent = exists().where(FollowUp.card_id == ActionCard.id, FollowUp.sent_at.is_not(None))
    bounced = exists().where(FollowUp.card_id == ActionCard.id, FollowUp.bounced_at.is_not(None))
    responded = exists().where(FollowUp.card_id == ActionCard.id, Response.followup_id == FollowUp.id)
    return (
        select(
            ActionCard.partner_group.label("partner_group"),
            case((sent, 1), else_=0).label("sent"),
            case((bounced, 1), else_=0).label("bounced"),
            case((responded, 1), else_=0).label("responded"),
            case((ActionCard.opted_out_at.is_not(None), 1), else_=0).label("opted_out"),
        )
        .where(card_filter)
        .subquery()
    )


def figures(card_filter, *, with_people: bool = False) -> Tracking:
    flags = _card_flags(card_filter)
    rows = db.session.execute(
        select(flags.c.partner_group, func.count(), func.sum(flags.c.sent), func.sum(flags.c.bounced),
               func.sum(flags.c.responded), func.sum(flags.c.opted_out))
        .group_by(flags.c.partner_group)
    ).all()
    by_group: dict[PartnerGroup, GroupFigures] = {}
    total, opted_out = GroupFigures(), 0
    for group, cards, sent, bounced, responded, opted in rows:
        figures_ = GroupFigures(cards, int(sent or 0), int(bounced or 0), int(responded or 0))
        by_group[group] = figures_
        total.cards += figures_.cards
        total.sent += figures_.sent
        total.bounced += figures_.bounced
        total.respondents += figures_.respondents
        opted_out += int(opted or 0)
    # Joined on the card id alone, not the composite (card_id, project_id) key the ORM would use:
    # with that, the planner scans every action of the project per card (see cards.services.actions_query).
    actions = db.session.scalar(
        select(func.count(Action.id)).join(ActionCard, ActionCard.id == Action.card_id).where(card_filter)) or 0
    progress_rows = db.session.execute(
        select(ActionProgress.progress, func.count())
        .join(Response, Response.id == ActionProgress.response_id)
        .join(FollowUp, FollowUp.id == Response.followup_id)
        .join(ActionCard, ActionCard.id == FollowUp.card_id)
        .where(card_filter)
        .group_by(ActionProgress.progress)
    ).all()
    progress = {level: 0 for level in Progress}
    progress.update({level: count for level, count in progress_rows})
    tracking = Tracking(total=total, actions=actions, opted_out=opted_out,
                        by_group=dict(sorted(by_group.items(), key=lambda kv: list(PartnerGroup).index(kv[0]))),
                        progress=progress)
    if with_people:
        tracking.needs_reminder = list(db.session.scalars(needs_reminder_query(card_filter)))
    return tracking


def needs_reminder_query(card_filter, campaign: Campaign | None = None):
    """Cards whose follow-up went out but who have not answered, bounced or opted out."""
    followup_filter = [FollowUp.card_id == ActionCard.id, FollowUp.sent_at.is_not(None), FollowUp.bounced_at.is_(None)]
    if campaign is not None:
        followup_filter.append(FollowUp.campaign_id == campaign.id)
    answered = exists().where(FollowUp.card_id == ActionCard.id, Response.followup_id == FollowUp.id)
    return (
        select(ActionCard)
        .where(card_filter, ActionCard.opted_out_at.is_(None), exists().where(and_(*followup_filter)), ~answered)
        .order_by(ActionCard.email)
    )


def event_tracking(event: Event, *, with_people: bool = False) -> Tracking:
    return figures(ActionCard.event_id == event.id, with_people=with_people)


def project_tracking(project_id: int) -> Tracking:
    return figures(ActionCard.project_id == project_id)


