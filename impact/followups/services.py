"""Follow-up campaigns: scheduling, queueing each person's email, and their responses.

Queueing happens in the same transaction that marks the campaign (or its reminders) as
sent, guarded by a conditional UPDATE, so however many ``flask jobs run`` processes race,
each person gets each email once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from impact.cards.models import Action, ActionCard, OptOut
from impact.events.models import Event
from impact.extensions import db
from impact.followups.emails import render_followup
from impact.followups.evidence import sync_response_evidence
from impact.followups.models import ActionProgress, Campaign, FollowUp, Progress, Response
from impact.followups.pseudonyms import claim_pseudonym, next_pseudonym
from impact.followups.signals import response_saved
from impact.mail.addresses import is_normal_address
from impact.mail.outbox import queue_email
from impact.model_types import utcnow


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
    # Their actions joined on the card id alone, as cards.services.actions_query does: loading the
    # relationship matches the composite key's project_id too, and SQLite then reads every action of the
    # project for each batch of cards ("Send now" for 5,000 cards took 29 s, next to gunicorn's 30 s limit).
    by_card: dict[int, list[Action]] = {card.id: [] for card in cards}
    for action in db.session.scalars(
        select(Action).join(ActionCard, ActionCard.id == Action.card_id)
        .where(ActionCard.event_id == campaign.event_id).order_by(Action.card_id, Action.position)
    ):
        if action.card_id in by_card:
            by_card[action.card_id].append(action)
    for card in cards:
        set_committed_value(card, "actions", by_card[card.id])
    return cards


INVALID_ADDRESS = "Not sent: the card's email is not a plain, valid address. Correct the card."


def send_campaign(campaign: Campaign) -> int:
    """Queue the follow-up for every card holder who has not opted out; returns how many."""
    if not _claim(campaign.id, Campaign.sent_at):
        return 0
    now = utcnow()
    count = 0
    for card in _recipients(campaign):
        followup = FollowUp(campaign_id=campaign.id, card_id=card.id, sent_at=now)
        db.session.add(followup)
        if not is_normal_address(card.email):
            # A card from before addresses were checked: shown as not delivered, with why.
            followup.bounced_at, followup.bounce_reason = now, INVALID_ADDRESS
            continue
        db.session.flush()
        email = render_followup(campaign, followup, card, reminder=False)
        queue_email(kind="followup", to=card.email, subject=email["subject"], body=email["body"],
                    html=email["html"], about=("followup", followup.id), links=email["links"])
        count += 1
    db.session.expire(campaign)
    return count


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
        .options(selectinload(FollowUp.card).selectinload(ActionCard.actions))
        .order_by(FollowUp.id)
    ).all()
    queued = 0
    for followup in followups:
        followup.reminded_at = now
        if not is_normal_address(followup.card.email):
            followup.bounced_at, followup.bounce_reason = now, INVALID_ADDRESS
            continue
        email = render_followup(campaign, followup, followup.card, reminder=True)
        queue_email(kind="reminder", to=followup.card.email, subject=email["subject"], body=email["body"],
                    html=email["html"], about=("followup", followup.id), links=email["links"])
        queued += 1
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

def response_to(followup: FollowUp) -> Response | None:
    """The answers already given to this follow-up, if any."""
    return db.session.scalars(select(Response).where(Response.followup_id == followup.id)).one_or_none()


def offered_pseudonym(followup: FollowUp, response: Response | None) -> str:
    """The name a respondent is told they would be quoted under: the one they answered under
    before, else the one the project would give them now (pseudonyms.next_pseudonym)."""
    if response is not None and response.pseudonym:
        return response.pseudonym
    return next_pseudonym(followup.campaign.event.project, followup)


def save_response(followup: FollowUp, *, progress: dict[int, tuple[Progress, str, str]], helped: str, hindered: str,
                  anything_else: str, consent_to_quote: bool, pseudonym: str = "") -> Response:
    """Store (or amend) a respondent's answers and refresh the evidence item made from them.

    ``progress`` maps each of the card's action ids to (progress, helped, hindered). With consent to
    quote, the person is quoted under their pseudonym in the project: the one they already have, else
    ``pseudonym`` if nobody has it, else the next free one (see pseudonyms.claim_pseudonym).
    """
    response = db.session.scalar(select(Response).where(Response.followup_id == followup.id))
    # Before the response changes: claiming flushes, and a response quoted without a name is refused.
    quoted_as = ""
    if consent_to_quote:
        quoted_as = (response.pseudonym if response is not None and response.pseudonym
                     else claim_pseudonym(followup, wanted=pseudonym))
    now = utcnow()
    if response is None:
        response = Response(followup=followup, submitted_at=now)
        db.session.add(response)
    response.updated_at = now
    response.helped, response.hindered, response.anything_else = helped, hindered, anything_else
    response.consent_to_quote, response.pseudonym = consent_to_quote, quoted_as
    answers = {answer.action_id: answer for answer in response.progress}
    for action_id, (level, action_helped, action_hindered) in progress.items():
        answer = answers.get(action_id)
        if answer is None:
            answer = ActionProgress(action_id=action_id, progress=level)
            response.progress.append(answer)
        answer.progress, answer.helped, answer.hindered = level, action_helped, action_hindered
    db.session.flush()
    sync_response_evidence(response)
    response_saved.send(response)
    return response
