"""Response-rate figures for one campaign, an event or a whole project, computed in SQL.

A card counts as *sent* when at least one follow-up to it was sent, *bounced* when a
follow-up to it bounced, and *responded* when a follow-up to it was answered. With a
follow-up filter (a campaign's page), only the follow-ups it lets through count, so a
campaign's figures never include answers given to another campaign of the same cards.
Without one (the event page, report.json), every campaign counts and a card counts once.

*Sent* means the app has sent it to the outbox (the follow-up's ``sent_at``), whether or
not the outbox has delivered it yet: the team sent it, and an address that never gets it
(bounced, or given up after retries) still counts, as a bounce always has. So the response
rate is respondents over cards with a follow-up sent, and cards that were never followed
up (opted out, or entered after the send) do not dilute it. How many of those sent are
still *waiting in the outbox* (queued, not yet handed to the mail server: no SMTP server
configured, or ``flask jobs run`` not run yet) is a figure of its own, so the team can tell
queued from delivered (a card counts there while any of its follow-ups' emails waits). A
follow-up with no outbox message (the demo's) counts as delivered.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, select, true
from sqlalchemy.orm import aliased

from impact.cards.models import Action, ActionCard
from impact.events.models import Event
from impact.extensions import db
from impact.followups.models import ActionProgress, Campaign, FollowUp, Progress, Response
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.projects.models import PartnerGroup

# Outbox states of a message not yet handed to the mail server.
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass
class GroupFigures:
    cards: int = 0
    sent: int = 0
    bounced: int = 0
    respondents: int = 0
    waiting: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.sent if self.sent else None


STILL_TO_ANSWER_SHOWN = 50


@dataclass
class Tracking:
    total: GroupFigures
    actions: int
    opted_out: int
    by_group: dict[PartnerGroup, GroupFigures]
    progress: dict[Progress, int]
    needs_reminder: list[ActionCard] = field(default_factory=list)  # the first STILL_TO_ANSWER_SHOWN
    still_to_answer: int = 0  # all of them

    @property
    def progress_total(self) -> int:
        return sum(self.progress.values())


def campaign_filter(campaign: Campaign):
    """The follow-up filter for one campaign's figures."""
    return FollowUp.campaign_id == campaign.id


def _waiting_in_outbox():
    """The follow-up's own email (not a reminder) is still in the outbox, not yet delivered."""
    return exists().where(OutboxMessage.about_kind == "followup", OutboxMessage.about_id == FollowUp.id,
                          OutboxMessage.kind == "followup",
                          OutboxMessage.status.in_(WAITING))


def _card_flags(card_filter, followup_filter):
    """One row per card: partner group, and whether it was sent / bounced / answered / is waiting."""
    of_card = and_(FollowUp.card_id == ActionCard.id, followup_filter)
    sent = exists().where(of_card, FollowUp.sent_at.is_not(None))
    bounced = exists().where(of_card, FollowUp.bounced_at.is_not(None))
    responded = exists().where(of_card, Response.followup_id == FollowUp.id)
    # Waiting: a follow-up of the card (within the filter) is sent but its email is still in the outbox.
    waiting = exists().where(of_card, FollowUp.sent_at.is_not(None), _waiting_in_outbox())
    return (
        select(
            ActionCard.partner_group.label("partner_group"),
            case((sent, 1), else_=0).label("sent"),
            case((bounced, 1), else_=0).label("bounced"),
            case((responded, 1), else_=0).label("responded"),
            case((ActionCard.opted_out_at.is_not(None), 1), else_=0).label("opted_out"),
            case((waiting, 1), else_=0).label("waiting"),
        )
        .where(card_filter)
        .subquery()
    )


def figures(card_filter, *, followup_filter=None, with_people: bool = False) -> Tracking:
    """Figures for the cards `card_filter` selects, counting only the follow-ups `followup_filter` selects.

    A campaign's page passes ``campaign_filter(campaign)``; the event page and the report pass none,
    so they count across all the campaigns (a card once, an action once: its latest answer).
    """
    scoped = followup_filter is not None
    followup_filter = followup_filter if scoped else true()
    flags = _card_flags(card_filter, followup_filter)
    rows = db.session.execute(
        select(flags.c.partner_group, func.count(), func.sum(flags.c.sent), func.sum(flags.c.bounced),
               func.sum(flags.c.responded), func.sum(flags.c.opted_out), func.sum(flags.c.waiting))
        .group_by(flags.c.partner_group)
    ).all()
    by_group: dict[PartnerGroup, GroupFigures] = {}
    total, opted_out = GroupFigures(), 0
    for group, cards, sent, bounced, responded, opted, waiting in rows:
        figures_ = GroupFigures(cards, int(sent or 0), int(bounced or 0), int(responded or 0), int(waiting or 0))
        by_group[group] = figures_
        total.cards += figures_.cards
        total.sent += figures_.sent
        total.bounced += figures_.bounced
        total.respondents += figures_.respondents
        total.waiting += figures_.waiting
        opted_out += int(opted or 0)
    # Joined on the card id alone, not the composite (card_id, project_id) key the ORM would use:
    # with that, the planner scans every action of the project per card (see cards.services.actions_query).
    actions = db.session.scalar(
        select(func.count(Action.id)).join(ActionCard, ActionCard.id == Action.card_id).where(card_filter)) or 0
    progress_query = (
        select(ActionProgress.progress, func.count())
        .join(Response, Response.id == ActionProgress.response_id)
        .join(FollowUp, FollowUp.id == Response.followup_id)
        .join(ActionCard, ActionCard.id == FollowUp.card_id)
        .where(card_filter, followup_filter)
        .group_by(ActionProgress.progress)
    )
    if not scoped:
        # An action answered in two campaigns counts once, with its latest answer. (Within one
        # campaign an action has at most one answer, so a campaign's page needs no such check.)
        later = aliased(ActionProgress)
        progress_query = progress_query.where(
            ~exists().where(later.action_id == ActionProgress.action_id, later.id > ActionProgress.id))
    progress = {level: 0 for level in Progress}
    progress.update({level: count for level, count in db.session.execute(progress_query).all()})
    tracking = Tracking(total=total, actions=actions, opted_out=opted_out,
                        by_group=dict(sorted(by_group.items(), key=lambda kv: list(PartnerGroup).index(kv[0]))),
                        progress=progress)
    if with_people:
        # The first few by email and how many in all, in one statement: at scale 3 listing every card
        # still to answer (thousands, as the ORM rows) was three quarters of the event page's time.
        rows = db.session.execute(
            needs_reminder_query(card_filter, followup_filter=followup_filter if scoped else None)
            .add_columns(func.count().over()).limit(STILL_TO_ANSWER_SHOWN)).all()
        tracking.needs_reminder = [card for card, _ in rows]
        tracking.still_to_answer = rows[0][1] if rows else 0
    return tracking


def needs_reminder_query(card_filter, *, followup_filter=None):
    """Cards with a follow-up that went out and is not answered or bounced, and who have not opted out.

    It is the follow-up that must be unanswered: an answer to another campaign (or another
    event's) does not take a card off the list for this one.
    """
    conditions = [FollowUp.card_id == ActionCard.id, FollowUp.sent_at.is_not(None), FollowUp.bounced_at.is_(None),
                  ~exists().where(Response.followup_id == FollowUp.id)]
    if followup_filter is not None:
        conditions.append(followup_filter)
    return (
        select(ActionCard)
        .where(card_filter, ActionCard.opted_out_at.is_(None), exists().where(and_(*conditions)))
        .order_by(ActionCard.email)
    )


# What the team sees per recipient for each outbox state (a stuck SENDING one is still not known to be out).
DELIVERY = {OutboxStatus.PENDING: "queued", OutboxStatus.SENDING: "queued", OutboxStatus.SENT: "sent",
            OutboxStatus.FAILED: "failed", OutboxStatus.BOUNCED: "bounced"}


def delivery_status(followup_ids: list[int]) -> dict[int, dict[str, str]]:
    """Where each follow-up's emails are, in one query: {followup id: {"followup"|"reminder": state}}.

    The state is "queued" (still in the outbox), "sent", "failed" (the outbox gave up) or "bounced".
    A follow-up with no message in the outbox (the demo's) is missing from the answer.
    """
    if not followup_ids:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.about_id, OutboxMessage.kind, OutboxMessage.status)
        .where(OutboxMessage.about_kind == "followup", OutboxMessage.about_id.in_(followup_ids),
               OutboxMessage.kind.in_(("followup", "reminder")))
        .order_by(OutboxMessage.id)
    ).all()
    status: dict[int, dict[str, str]] = {}
    for followup_id, kind, state in rows:
        status.setdefault(followup_id, {})[kind] = DELIVERY[state]
    return status


def campaign_tracking(campaign: Campaign) -> Tracking:
    """A campaign's page: the event's cards (the recipients, or before sending the would-be ones),
    and only this campaign's follow-ups and answers."""
    return figures(ActionCard.event_id == campaign.event_id, followup_filter=campaign_filter(campaign))


def event_tracking(event: Event, *, with_people: bool = False) -> Tracking:
    return figures(ActionCard.event_id == event.id, with_people=with_people)


def project_tracking(project_id: int) -> Tracking:
    return figures(ActionCard.project_id == project_id)


@dataclass
class CampaignCounts:
    followups: int = 0
    sent: int = 0
    responses: int = 0
    failed: int = 0  # the outbox gave up on the follow-up's own email
    bounced: int = 0


def campaign_counts(campaign_ids: list[int]) -> dict[int, CampaignCounts]:
    """Each campaign's follow-ups, sent, answered, failed and bounced, in one query (a list's page of them)."""
    failed = exists().where(OutboxMessage.about_kind == "followup", OutboxMessage.about_id == FollowUp.id,
                            OutboxMessage.kind == "followup", OutboxMessage.status == OutboxStatus.FAILED)
    rows = db.session.execute(
        select(FollowUp.campaign_id, func.count(FollowUp.id), func.count(FollowUp.sent_at), func.count(Response.id),
               func.sum(case((failed, 1), else_=0)), func.count(FollowUp.bounced_at))
        .outerjoin(Response, Response.followup_id == FollowUp.id)
        .where(FollowUp.campaign_id.in_(campaign_ids))
        .group_by(FollowUp.campaign_id)
    ).all() if campaign_ids else []
    counts = {campaign_id: CampaignCounts() for campaign_id in campaign_ids}
    for campaign_id, followups, sent, responses, failed_sends, bounced in rows:
        counts[campaign_id] = CampaignCounts(followups, sent, responses, int(failed_sends or 0), bounced)
    return counts
