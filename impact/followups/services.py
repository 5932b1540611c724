"""Follow-up campaigns: scheduling, queueing each person's email, and their responses.

Queueing happens in the same transaction that marks the campaign (or its reminders) as
sent, guarded by a conditional UPDATE, so however many ``flask jobs run`` processes race,
each person gets each email once.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from impact.cards.models import Action, ActionCard, OptOut
from impact.events.models import Event
from impact.evidence.models import EvidenceItem
from impact.extensions import db
from impact.followups import pseudonyms
from impact.followups.emails import render_followup
from impact.followups.evidence import load_response_item, step_links_of, sync_response_evidence
from impact.followups.models import ActionProgress, Campaign, FollowUp, Progress, Response
from impact.followups.signals import response_saved
from impact.mail.addresses import is_normal_address
from impact.mail.outbox import queue_email
from impact.model_types import utcnow
from impact.projects.models import Project


def campaigns_query(event: Event):
    return select(Campaign).where(Campaign.event_id == event.id).order_by(Campaign.send_at, Campaign.id)


def project_campaigns_query(project):
    """Every follow-up of the project, the latest to go out first, each with its event."""
    return (select(Campaign).where(Campaign.project_id == project.id).options(joinedload(Campaign.event))
            .order_by(Campaign.send_at.desc(), Campaign.id.desc()))


def save_campaign(event: Event, campaign: Campaign | None, *, subject: str, message: str, reminder_message: str,
                  send_at: dt.datetime, reminder_at: dt.datetime | None, closes_at: dt.datetime,
                  user=None) -> Campaign:
    if campaign is None:
        campaign = Campaign(project_id=event.project_id, event_id=event.id, created_by_id=getattr(user, "id", None))
        db.session.add(campaign)
    campaign.subject, campaign.message, campaign.reminder_message = subject, message, reminder_message
    campaign.send_at, campaign.reminder_at, campaign.closes_at = send_at, reminder_at, closes_at
    db.session.flush()
    return campaign


def _claim(campaign_id: int, column) -> bool:
    """Mark a campaign step as done unless another process already did; True if we won."""
    now = utcnow()
    return db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id, column.is_(None)).values({column.key: now})
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _opted_out():
    """The card's email asked the project for no more follow-ups (cards.services.opt_out)."""
    return exists().where(OptOut.project_id == ActionCard.project_id, OptOut.email == ActionCard.email)


def _recipients(campaign: Campaign):
    cards = db.session.scalars(
        select(ActionCard)
        .where(ActionCard.event_id == campaign.event_id, ActionCard.opted_out_at.is_(None), ~_opted_out())
        .order_by(ActionCard.id)
    ).all()
    _load_actions(cards, campaign.event_id)
    return cards


def _load_actions(cards: list[ActionCard], event_id: int) -> None:
    """Fill the cards' actions from one statement joined on the card id alone, as cards.services.actions_query
    does: loading the relationship matches the composite key's project_id too, and SQLite then reads every action
    of the project for each batch of cards ("Send now" for 5,000 cards took 29 s, next to gunicorn's 30 s limit)."""
    by_card: dict[int, list[Action]] = {card.id: [] for card in cards}
    for action in db.session.scalars(
        select(Action).join(ActionCard, ActionCard.id == Action.card_id)
        .where(ActionCard.event_id == event_id).order_by(Action.card_id, Action.position)
    ):
        if action.card_id in by_card:
            by_card[action.card_id].append(action)
    for card in cards:
        set_committed_value(card, "actions", by_card[card.id])


INVALID_ADDRESS = "Not sent: the card's email is not a plain, valid address. Correct the card."


def send_campaign(campaign: Campaign) -> int:
    """Queue the follow-up for every card holder who has not opted out; returns how many."""
    if not _claim(campaign.id, Campaign.sent_at):
        return 0
    now = utcnow()
    # Each follow-up knows its card, so the flush finds their project without asking the database, and all of
    # them go in one flush (multi-row INSERTs and one advance of the project's stamp), not one for each card.
    followups = [FollowUp(campaign_id=campaign.id, card=card, sent_at=now) for card in _recipients(campaign)]
    db.session.add_all(followups)
    for followup in followups:
        if not is_normal_address(followup.card.email):
            # A card from before addresses were checked: shown as not delivered, with why.
            followup.bounced_at, followup.bounce_reason = now, INVALID_ADDRESS
    db.session.flush()
    queued = _queue_for(campaign, [followup for followup in followups if followup.bounced_at is None], reminder=False)
    db.session.expire(campaign)
    return queued


def _queue_for(campaign: Campaign, followups: list[FollowUp], *, reminder: bool) -> int:
    for followup in followups:
        email = render_followup(campaign, followup, followup.card, reminder=reminder)
        queue_email(kind="reminder" if reminder else "followup", to=followup.card.email, subject=email["subject"],
                    body=email["body"], html=email["html"], about=("followup", followup.id), links=email["links"],
                    flush=False)
    db.session.flush()
    return len(followups)


def send_reminders(campaign: Campaign) -> int:
    """Queue a reminder for everyone followed up who has not answered, bounced or opted out."""
    if not _claim(campaign.id, Campaign.reminders_sent_at):
        return 0
    now = utcnow()
    followups = db.session.scalars(
        select(FollowUp)
        .join(ActionCard, ActionCard.id == FollowUp.card_id)
        .where(FollowUp.campaign_id == campaign.id, FollowUp.sent_at.is_not(None), FollowUp.bounced_at.is_(None),
               ActionCard.opted_out_at.is_(None), ~_opted_out(), ~exists().where(Response.followup_id == FollowUp.id))
        .options(contains_eager(FollowUp.card))
        .order_by(FollowUp.id)
    ).all()
    _load_actions([followup.card for followup in followups], campaign.event_id)
    for followup in followups:
        followup.reminded_at = now
        if not is_normal_address(followup.card.email):
            followup.bounced_at, followup.bounce_reason = now, INVALID_ADDRESS
    queued = _queue_for(campaign, [followup for followup in followups if followup.bounced_at is None], reminder=True)
    db.session.expire(campaign)
    return queued


def queue_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Due work for ``flask jobs run``: follow-ups and reminders whose time has come.

    Each campaign is handled in its own transaction, so one failure does not hold up the rest.
    """
    now = now or utcnow()
    counts = {"follow-ups queued": 0, "reminders queued": 0}
    due_ids = db.session.scalars(
        select(Campaign.id).where(Campaign.sent_at.is_(None), Campaign.send_at <= now, Campaign.closed_at.is_(None),
                                  Campaign.closes_at > now)
    ).all()
    reminder_ids = db.session.scalars(
        select(Campaign.id).where(Campaign.sent_at.is_not(None), Campaign.reminders_sent_at.is_(None),
                                  Campaign.reminder_at.is_not(None), Campaign.reminder_at <= now,
                                  Campaign.closed_at.is_(None), Campaign.closes_at > now)
    ).all()
    failed = []
    for key, send, ids in (("follow-ups queued", send_campaign, due_ids),
                           ("reminders queued", send_reminders, reminder_ids)):
        for campaign_id in ids:
            try:
                counts[key] += send(db.session.get(Campaign, campaign_id))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - one campaign's problem must not hold up the others
                db.session.rollback()
                failed.append(f"campaign {campaign_id}: {type(exc).__name__}: {exc}")
    if failed:
        # After the others were queued: the run shows as failed (and cron mails it), naming each one.
        raise RuntimeError(f"{counts}; could not queue " + "; ".join(failed))
    return counts


# Cron runs every minute; past this, a due email that has not gone means background work is not running.
LATE_AFTER = dt.timedelta(minutes=5)


def late_sends(campaign: Campaign, now: dt.datetime) -> dict[str, dt.datetime]:
    """What should have been queued by now and was not: {"followup"/"reminder": when it was due}."""
    if campaign.is_closed(now):
        return {}
    late = {}
    if campaign.sent_at is None and campaign.send_at <= now - LATE_AFTER:
        late["followup"] = campaign.send_at
    elif (campaign.sent_at is not None and campaign.reminders_sent_at is None and campaign.reminder_at is not None
          and campaign.reminder_at <= now - LATE_AFTER):
        late["reminder"] = campaign.reminder_at
    return late


def close_campaign(campaign: Campaign) -> None:
    campaign.closed_at = utcnow()
    db.session.flush()


# Responses ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Respondent:
    """A follow-up opened from its link, with all its form shows: the campaign, event, project, card and its
    actions, any earlier answers, and what the pseudonym offered is made from (pseudonyms.offered)."""

    followup: FollowUp
    registered_as: str | None
    highest: int | None

    @property
    def response(self) -> Response | None:
        return self.followup.response

    def pseudonym(self) -> str:
        """The name the respondent is told they would be quoted under: the one they answered under
        before, else the one the project would give them now."""
        response = self.response
        if response is not None and response.pseudonym:
            return response.pseudonym
        return pseudonyms.offered(self.followup.card, self.registered_as, self.highest)


@dataclass(frozen=True)
class ShownAction:
    id: int
    text: str


@dataclass(frozen=True)
class FormPage:
    """What the respondent's page shows of the campaign, event and card, as plain values: they stay as read
    after the answers are committed, which expires the rows (reading them again took five statements)."""

    event_title: str
    event_date: dt.date
    closes_at: dt.datetime
    time_zone: str
    actions: tuple[ShownAction, ...]


def form_page(followup: FollowUp) -> FormPage:
    campaign, event = followup.campaign, followup.campaign.event
    return FormPage(event.title, event.event_date, campaign.closes_at, event.project.time_zone,
                    tuple(ShownAction(action.id, action.text) for action in followup.card.actions))


@functools.cache
def _respondent_query(answering: bool):
    """respondent()'s statement, built once: building it took as long as running it."""
    campaign = contains_eager(FollowUp.campaign)
    event = campaign.contains_eager(Campaign.event)
    response = contains_eager(FollowUp.response)
    statement = (
        select(FollowUp, pseudonyms.registered_name(ActionCard.project_id, ActionCard.email),
               pseudonyms.highest_number(ActionCard.project_id, ActionCard.partner_group))
        .join(FollowUp.campaign).join(Campaign.event).join(Event.project)
        # Joined on the card id alone: the composite key's project_id lets SQLite read all the project's actions.
        .join(FollowUp.card).outerjoin(Action, Action.card_id == ActionCard.id)
        .outerjoin(Response, Response.followup_id == FollowUp.id)
        # Each action's answer on the action's own row (one per action and response): no more rows, no more statements.
        .outerjoin(ActionProgress,
                   (ActionProgress.response_id == Response.id) & (ActionProgress.action_id == Action.id))
        .where(FollowUp.id == bindparam("followup_id"))
        .order_by(Action.position)
        # Of the campaign, event and project only what the form and the answer's evidence item read: their
        # other columns (a project's description, a campaign's messages) were most of the row.
        .options(campaign.load_only(Campaign.project_id, Campaign.event_id, Campaign.closes_at, Campaign.closed_at),
                 event.load_only(Event.project_id, Event.title, Event.event_date),
                 event.contains_eager(Event.project).load_only(Project.time_zone),
                 contains_eager(FollowUp.card).contains_eager(ActionCard.actions),
                 response.contains_eager(Response.progress))
    )
    if answering:
        # What saving the answers rewrites: the response's evidence item, and its links (one statement more).
        statement = (statement.outerjoin(EvidenceItem, EvidenceItem.id == Response.evidence_item_id)
                     .options(response.contains_eager(Response.evidence_item).selectinload(EvidenceItem.links)))
    return statement


def respondent(followup_id: int, answering: bool = False) -> Respondent | None:
    """The follow-up and everything its form shows, in one statement (``answering``: and the response's
    evidence item, with its links in a second).

    The public form is what a campaign's respondents all open at once: it read the campaign, event,
    project, card, actions, answers and every pseudonym in the project one by one (issue 15).
    """
    row = db.session.execute(_respondent_query(answering), {"followup_id": followup_id}).unique().first()
    if row is None:
        return None
    followup, registered_as, highest = row
    response = followup.response
    if response is not None:
        # The other ends of what was loaded, so a flush finds the project of what changes from them
        # (projects.stamps) instead of asking the database for an action's or a follow-up's.
        set_committed_value(response, "followup", followup)
        actions = {action.id: action for action in followup.card.actions}
        for answer in response.progress:
            set_committed_value(answer, "response", response)
            set_committed_value(answer, "action", actions[answer.action_id])
    return Respondent(followup, registered_as, highest)


def save_response(followup: FollowUp, *, progress: dict[int, tuple[Progress, str, str]], helped: str, hindered: str,
                  anything_else: str, consent_to_quote: bool, pseudonym: str = "") -> Response:
    """Store (or amend) a respondent's answers and refresh the evidence item made from them.

    ``progress`` maps each of the card's action ids to (progress, helped, hindered). With consent to
    quote, the person is quoted under their pseudonym in the project: the one they already have, else
    ``pseudonym`` if nobody has it, else the next free one (see pseudonyms.claim_pseudonym).
    """
    response = followup.response  # loaded with the follow-up by respondent()
    # Before the response changes: a response quoted without a name is refused.
    quoted_as = ""
    if consent_to_quote:
        quoted_as = (response.pseudonym if response is not None and response.pseudonym
                     else pseudonyms.claim_pseudonym(followup, wanted=pseudonym))
    # Read before anything changes, which the reads would flush: the item's flush then writes it all.
    step_links = step_links_of({action_id: level for action_id, (level, _, _) in progress.items()})
    if response is not None:
        load_response_item(response)
    now = utcnow()
    if response is None:
        response = Response(followup=followup, submitted_at=now, progress=[])
        db.session.add(response)
        set_committed_value(followup, "response", response)  # viewonly: the ORM would not say so itself
    response.updated_at = now
    response.helped, response.hindered, response.anything_else = helped, hindered, anything_else
    response.consent_to_quote, response.pseudonym = consent_to_quote, quoted_as
    answers = {answer.action_id: answer for answer in response.progress}
    actions = {action.id: action for action in followup.card.actions}
    for action_id, (level, action_helped, action_hindered) in progress.items():
        answer = answers.get(action_id)
        if answer is None:
            # With its action, which the evidence item's summary reads before the flush.
            answer = ActionProgress(action=actions[action_id], progress=level)
            response.progress.append(answer)
        answer.progress, answer.helped, answer.hindered = level, action_helped, action_hindered
    sync_response_evidence(response, step_links)  # flushes the response with its item
    response_saved.send(response)
    return response
