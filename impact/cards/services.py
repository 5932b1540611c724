"""Saving action cards: one code path for paper entry, the online form and imports."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from impact.cards.models import MAX_ACTIONS, Action, ActionCard, CardSource, action_steps
from impact.events.models import Event
from impact.extensions import db
from impact.projects.models import PartnerGroup, Project
from impact.toc.models import Step


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass
class CardData:
    """What one card says, however it reached us."""

    email: str
    actions: Sequence[str]
    name: str = ""
    organisation: str = ""
    partner_group: PartnerGroup = PartnerGroup.OTHER
    notes: list[str] = field(default_factory=list)

    def cleaned_actions(self) -> list[str]:
        return [text.strip() for text in self.actions if text and text.strip()][:MAX_ACTIONS]


def find_card(event: Event, email: str) -> ActionCard | None:
    return db.session.scalar(
        select(ActionCard).where(ActionCard.event_id == event.id, ActionCard.email == normalise_email(email))
    )


def save_card(event: Event, data: CardData, source: CardSource) -> tuple[ActionCard, bool]:
    """Create the card, or update the one this email already has at this event.

    Actions are matched by position, so an action's step tags (and any follow-up answer
    about it) survive a correction of its wording.
    """
    card = find_card(event, data.email)
    created = card is None
    if created:
        card = ActionCard(project_id=event.project_id, event_id=event.id, email=normalise_email(data.email),
                          source=source)
        db.session.add(card)
    card.name = data.name.strip()
    card.organisation = data.organisation.strip()
    card.partner_group = data.partner_group
    texts = data.cleaned_actions()
    by_position = {action.position: action for action in card.actions}
    for position, text in enumerate(texts, start=1):
        if position in by_position:
            by_position[position].text = text
        else:
            card.actions.append(Action(project_id=event.project_id, position=position, text=text))
    for position, action in by_position.items():
        if position > len(texts):
            card.actions.remove(action)
    db.session.flush()
    return card, created


def delete_card(card: ActionCard) -> None:
    db.session.delete(card)
    db.session.flush()


def has_response(card: ActionCard) -> bool:
    """A card someone has answered a follow-up about holds evidence, so it is not deleted."""
    from impact.followups.models import FollowUp, Response

    return db.session.scalar(
        select(func.count()).select_from(Response).join(FollowUp).where(FollowUp.card_id == card.id)
    ) > 0


def get_card_or_404(event: Event, card_id: int) -> ActionCard:
    card = db.session.get(ActionCard, card_id)
    if card is None or card.event_id != event.id:
        abort(404)
    return card


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
    _expire_tags()
    return len(new)


def untag_actions(event: Event, action_ids: Iterable[int], step: Step) -> int:
    ids = _actions_of(event, action_ids)
    if not ids:
        return 0
    removed = db.session.execute(
        delete(action_steps).where(action_steps.c.step_id == step.id, action_steps.c.action_id.in_(ids))
    ).rowcount
    _expire_tags()
    return removed


def _expire_tags() -> None:
    # action_steps is written directly; loaded Action.steps collections must be reloaded.
    for obj in db.session.identity_map.values():
        if isinstance(obj, Action):
            db.session.expire(obj, ["steps"])
