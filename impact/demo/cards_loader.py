"""Add the first seminar's action cards, the follow-up and its 12 answers to the demo project."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.cards.models import CardSource
from impact.cards.services import CardData, save_card, tag_actions
from impact.coding.models import FactorTheme
from impact.coding.services import add_default_themes, save_theme, set_codes
from impact.demo import cards_data, seed_data
from impact.events.models import Event, EventKind
from impact.events.services import save_event
from impact.extensions import db
from impact.followups.emails import DEFAULT_MESSAGE
from impact.followups.evidence import sync_response_evidence
from impact.followups.models import FollowUp, Progress
from impact.followups.services import save_campaign, save_response
from impact.projects.models import PartnerGroup, Project
from impact.toc.models import FactorDirection, InfluencingFactor
from impact.toc.services import load_chain


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)


def step_titles() -> dict[str, str]:
    """Step key -> the title the step has after the seed's revisions."""
    titles = {spec["key"]: spec["title"] for spec in seed_data.STEPS}
    for revision in seed_data.REVISIONS:
        for change in revision["changes"]:
            if change["op"] == "rename_step":
                titles[change["key"]] = change["title"]
            elif change["op"] == "add_step":
                titles[change["step"]["key"]] = change["step"]["title"]
    return titles


def load_cards_demo(project: Project) -> bool:
    """Returns False (and changes nothing) when the project already has events."""
    if db.session.scalar(select(Event.id).where(Event.project_id == project.id).limit(1)) is not None:
        return False
    spec = cards_data.EVENT
    event = save_event(project, None, kind=EventKind(spec["kind"]), title=spec["title"],
                       event_date=dt.date.fromisoformat(spec["date"]), place=spec["place"], notes=spec["notes"],
                       attendance={PartnerGroup(group): count for group, count in spec["attendance"].items()})
    steps_by_title = {step.title: step for step in load_chain(project.id).steps}
    steps = {key: steps_by_title[title] for key, title in step_titles().items() if title in steps_by_title}
    cards = []
    for name, email, organisation, group, actions, answer in cards_data.CARDS:
        card, _ = save_card(event, CardData(email=email, name=name, organisation=organisation,
                                            partner_group=PartnerGroup(group),
                                            actions=[text for text, _ in actions]), CardSource.PAPER)
        for action, (_, keys) in zip(card.actions, actions, strict=True):
            for key in keys:
                tag_actions(project, event, [action.id], steps[key])
        cards.append((card, answer))

    _load_codebook(project)
    spec = cards_data.CAMPAIGN
    campaign = save_campaign(event, None, subject=spec["subject"], message=DEFAULT_MESSAGE,
                             reminder_message="", send_at=_utc(spec["send_at"]), reminder_at=_utc(spec["reminder_at"]),
                             closes_at=_utc(spec["closes_at"]))
    # The demo's follow-up went out long ago: record it as sent, without queueing real email.
    campaign.sent_at, campaign.reminders_sent_at = campaign.send_at, campaign.reminder_at
    themes = {theme.name: theme for theme in db.session.scalars(
        select(FactorTheme).where(FactorTheme.project_id == project.id))}
    answered_on = campaign.send_at + dt.timedelta(days=3)
    for card, answer in cards:
        followup = FollowUp(campaign_id=campaign.id, card_id=card.id, sent_at=campaign.send_at)
        db.session.add(followup)
        db.session.flush()
        if answer is None:
            followup.reminded_at = campaign.reminder_at
            continue
        levels, helped, hindered, consent, pseudonym, codes = answer
        response = save_response(
            followup,
            progress={action.id: (Progress(level), "", "") for action, level in zip(card.actions, levels, strict=True)},
            helped=helped, hindered=hindered, anything_else="", consent_to_quote=consent, pseudonym=pseudonym)
        response.submitted_at = response.updated_at = answered_on
        answered_on += dt.timedelta(days=1)
        sync_response_evidence(response)
        set_codes(project, response, {(themes[theme].id, FactorDirection(direction)) for theme, direction in codes})
    db.session.flush()
    return True


def _load_codebook(project: Project) -> None:
    add_default_themes(project)
    factors = {factor.title: factor.id for factor in db.session.scalars(
        select(InfluencingFactor).where(InfluencingFactor.project_id == project.id))}
    for theme in db.session.scalars(select(FactorTheme).where(FactorTheme.project_id == project.id)):
        titles = cards_data.THEME_FACTORS.get(theme.name, [])
        save_theme(project, theme, name=theme.name, description=theme.description,
                   factor_ids=[factors[title] for title in titles if title in factors])
