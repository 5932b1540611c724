"""Saving action cards: one code path for paper entry, the online form and imports."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from impact.cards.models import MAX_ACTIONS, Action, ActionCard, CardSource, OptOut, action_steps
from impact.cards.signals import (
    action_tags_changed,
    actions_answered,
    all_named,
    any_says,
    card_contacted,
    card_holds_evidence,
)
from impact.events.models import Event
from impact.extensions import db
from impact.mail.addresses import AddressError, normalise_address
from impact.model_types import utcnow
from impact.projects import stamps
from impact.projects.models import PartnerGroup, Project
from impact.toc.models import Step


def lookup_email(email: str) -> str:
    """The stored form of an address to look up; an address that is not valid matches nothing stored."""
    try:
        return normalise_address(email)
    except AddressError:
        return email.strip().lower()


@dataclass
class CardData:
    """What one card says, however it reached us."""

    email: str
    # One text per slot (action 1 to 3); a blank slot has no action.
    actions: Sequence[str]
    name: str = ""
    organisation: str = ""
    partner_group: PartnerGroup = PartnerGroup.OTHER
    notes: list[str] = field(default_factory=list)

    def slots(self) -> dict[int, str]:
        """{position: text} of the filled-in slots: each action keeps the number of its slot."""
        return {position: text.strip() for position, text in enumerate(self.actions[:MAX_ACTIONS], start=1)
                if text and text.strip()}


class CardRefused(Exception):
    """Nothing was saved. `errors` maps a card form field ("email", "action_2"...) to the reason,
    shown next to that field; `existing` is the card that stood in the way, if any."""

    def __init__(self, errors: dict[str, str], existing: ActionCard | None = None):
        super().__init__(" ".join(errors.values()))
        self.errors = errors
        self.existing = existing


PAPER_DUPLICATE = ("This email already has a card at this event, so this card was not saved. "
                   "Correct the card already saved instead, or check the email.")
EMAIL_TAKEN = "Another card at this event already has this email."
WITH_THE_TEAM = ("A card from this email is already with the project team, so this one was not saved. "
                 "If something on it needs changing, ask the team: they can correct it.")
ANSWERED_ACTION = "This action has a follow-up answer; edit its wording instead of removing it."


def find_card(event: Event, email: str) -> ActionCard | None:
    return db.session.scalar(
        select(ActionCard).where(ActionCard.event_id == event.id, ActionCard.email == lookup_email(email))
    )


def followed_up(card: ActionCard) -> bool:
    """Its writer has been contacted about this card (a follow-up sent, in any campaign)."""
    return any_says(card_contacted, card)


def removal_problems(card: ActionCard, slots: dict[int, str]) -> dict[str, str]:
    """The card's actions that `slots` would remove although they hold a follow-up answer, by form field."""
    removed = {action.id: action for action in card.actions if action.position not in slots}
    if not removed:
        return {}
    answered = all_named(actions_answered, card, action_ids=list(removed))
    return {f"action_{removed[action_id].position}": ANSWERED_ACTION for action_id in sorted(answered)}


def opted_out_at(project_id: int, email: str) -> dt.datetime | None:
    """When this email opted out of the project's follow-ups, or None."""
    return db.session.scalar(
        select(OptOut.opted_out_at).where(OptOut.project_id == project_id, OptOut.email == lookup_email(email))
    )


def opted_out_emails(project_id: int) -> dict[str, dt.datetime]:
    """Every email that opted out of the project's follow-ups, with when."""
    return dict(db.session.execute(
        select(OptOut.email, OptOut.opted_out_at).where(OptOut.project_id == project_id)
    ).all())


def save_card(event: Event, data: CardData, source: CardSource, *,
              card: ActionCard | None = None) -> tuple[ActionCard, bool]:
    """Save a card; returns it and whether it is new. Raises CardRefused (nothing changed).

    With `card`: the team's correction of that card (its email may change, not to another card's).
    Without: a new card, unless this email already has one at this event. Then a paper card is
    refused (the team edits the existing card instead), a spreadsheet row updates it, and an
    online form updates it only while it is the attendee's own online card that no follow-up has
    been sent about; anything else is with the team and is refused.

    Each action keeps its slot (action 1 to 3), so its step tags and follow-up answers stay with
    it when its wording is corrected or another action is cleared. A blank slot removes that
    slot's action, unless it holds a follow-up answer: then the save is refused.
    """
    try:
        email = normalise_address(data.email)
    except AddressError as problem:
        raise CardRefused({"email": str(problem)}) from None
    existing = find_card(event, email)
    if card is not None:
        if existing is not None and existing.id != card.id:
            raise CardRefused({"email": EMAIL_TAKEN}, existing)
    elif existing is not None:
        if source is CardSource.PAPER:
            raise CardRefused({"email": PAPER_DUPLICATE}, existing)
        if source is CardSource.ONLINE and (existing.source is not CardSource.ONLINE or followed_up(existing)):
            raise CardRefused({"email": WITH_THE_TEAM}, existing)
        card = existing
    slots = data.slots()
    if card is not None:
        problems = removal_problems(card, slots)
        if problems:
            raise CardRefused(problems, card)
    created = card is None
    # An email that opted out of this project's follow-ups stays out, on every card it gets.
    opted_out = opted_out_at(event.project_id, email) if created or card.opted_out_at is None else None
    if created:
        card = ActionCard(project_id=event.project_id, event_id=event.id, email=email, source=source)
        db.session.add(card)
    card.email = email
    if card.opted_out_at is None:
        card.opted_out_at = opted_out
    card.name = data.name.strip()
    card.organisation = data.organisation.strip()
    card.partner_group = data.partner_group
    by_position = {action.position: action for action in card.actions}
    for position in range(1, MAX_ACTIONS + 1):
        text, action = slots.get(position), by_position.get(position)
        if text is None:
            if action is not None:
                card.actions.remove(action)
        elif action is None:
            card.actions.append(Action(project_id=event.project_id, position=position, text=text))
        else:
            action.text = text
    db.session.flush()
    return card, created


def opt_out(card: ActionCard) -> None:
    """No more follow-ups or reminders to this card's email: every card it has in the project, and
    any card it gets later (the opt-out is kept apart from the cards, so it outlives them)."""
    now = utcnow()
    if opted_out_at(card.project_id, card.email) is None:
        db.session.add(OptOut(project_id=card.project_id, email=card.email, opted_out_at=now))
    for each in db.session.scalars(select(ActionCard).where(
        ActionCard.project_id == card.project_id, ActionCard.email == card.email, ActionCard.opted_out_at.is_(None),
    )):
        each.opted_out_at = now
    db.session.flush()


def delete_card(card: ActionCard) -> None:
    db.session.delete(card)
    db.session.flush()


def has_response(card: ActionCard) -> bool:
    """A card someone has answered a follow-up about holds evidence, so it is not deleted."""
    return any_says(card_holds_evidence, card)


def cards_query(event: Event):
    return (
        select(ActionCard)
        .where(ActionCard.event_id == event.id)
        .order_by(ActionCard.created_at.desc(), ActionCard.id.desc())
        .options(selectinload(ActionCard.actions))
    )


def card_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(ActionCard).where(ActionCard.event_id == event.id))


# Mapping actions to the chain ---------------------------------------------------------------

def actions_query(event: Event):
    return (
        select(Action)
        # On the card id alone: the ORM's default join also matches the composite key's project_id,
        # and then SQLite and PostgreSQL both pick the index on actions.project_id, scanning every
        # action of the project once per card (0.9 s for 2,000 cards). The composite foreign key
        # already guarantees the project matches.
        .join(ActionCard, ActionCard.id == Action.card_id)
        .where(ActionCard.event_id == event.id)
        .order_by(ActionCard.id, Action.position)
        .options(selectinload(Action.card), selectinload(Action.steps))
    )


def _actions_of(event: Event, action_ids: Iterable[int]) -> list[int]:
    """Keep only ids of actions on this event's cards (anything else in a form is ignored)."""
    ids = list(set(action_ids))
    if not ids:
        return []
    return list(db.session.scalars(
        select(Action.id).join(ActionCard, ActionCard.id == Action.card_id)  # see actions_query
        .where(ActionCard.event_id == event.id, Action.id.in_(ids))
    ))


def tag_actions(project: Project, event: Event, action_ids: Iterable[int], step: Step) -> int:
    """Tag each action with the step; returns how many gained the tag."""
    ids = _actions_of(event, action_ids)
    if not ids:
        return 0
    already = set(db.session.scalars(
        select(action_steps.c.action_id).where(action_steps.c.step_id == step.id, action_steps.c.action_id.in_(ids))
    ))
    new = [{"action_id": action_id, "step_id": step.id, "project_id": project.id}
           for action_id in ids if action_id not in already]
    if new:
        db.session.execute(insert(action_steps), new)
        stamps.advance(db.session, [project.id])
    _expire_tags()
    if new:
        action_tags_changed.send(project, action_ids=[row["action_id"] for row in new])
    return len(new)


def untag_actions(event: Event, action_ids: Iterable[int], step: Step) -> int:
    ids = _actions_of(event, action_ids)
    if not ids:
        return 0
    removed = db.session.execute(
        delete(action_steps).where(action_steps.c.step_id == step.id, action_steps.c.action_id.in_(ids))
    ).rowcount
    if removed:
        stamps.advance(db.session, [event.project_id])
    _expire_tags()
    if removed:
        action_tags_changed.send(event, action_ids=ids)
    return removed


def _expire_tags() -> None:
    # action_steps is written directly; loaded Action.steps collections must be reloaded.
    for obj in db.session.identity_map.values():
        if isinstance(obj, Action):
            db.session.expire(obj, ["steps"])
