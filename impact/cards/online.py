"""Cards attendees send themselves through the event's public link.

The link is shared with a whole room, so whoever has it could type another attendee's email.
A card for a new email is saved at once; one for an email that already has a card changes
nothing until the person confirms from a link emailed to that address. The page says the same
in both cases, so the form cannot be used to learn who attended.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.cards.models import CardConfirmation, CardSource
from impact.cards.services import CardData, find_card, followed_up, opted_out_at, save_card
from impact.events.models import Event
from impact.extensions import db
from impact.external_urls import external_url
from impact.mail.links import EmailLinks, link_maker
from impact.mail.models import OutboxMessage
from impact.mail.outbox import queue_email
from impact.model_types import utcnow
from impact.projects.models import PartnerGroup
from impact.signing import LinkProblem, make_token, read_token

PURPOSE = "card-confirmation"
KIND = "card_confirmation"  # of its emails in the outbox
MAX_AGE = dt.timedelta(days=7)


# However often the form is sent for one address, it gets at most one email in this time.
EMAIL_AT_MOST_EVERY = dt.timedelta(hours=1)


def submit(event: Event, data: CardData) -> None:
    """Save a new card, or email the address a link to confirm replacing its card. Raises CardRefused
    only for problems with what was typed (never for anything that depends on who has a card)."""
    existing = find_card(event, data.email)
    if existing is None:
        save_card(event, data, CardSource.ONLINE)
        return
    if opted_out_at(event.project_id, existing.email) is not None:
        return  # they asked the project for no more email; their card stays as it is
    emailed_lately = _emailed_since(existing.email, utcnow() - EMAIL_AT_MOST_EVERY)
    if existing.source is not CardSource.ONLINE or followed_up(existing):
        if not emailed_lately:
            _tell_it_is_with_the_team(event, existing.email)
        return
    # One change waits per card: the newest, which the link already sent (if any) now confirms.
    confirmation = db.session.scalar(select(CardConfirmation).where(CardConfirmation.card_id == existing.id,
                                                                   CardConfirmation.used_at.is_(None))
                                     .order_by(CardConfirmation.id.desc()).limit(1))
    if confirmation is None:
        confirmation = CardConfirmation(card_id=existing.id)
        db.session.add(confirmation)
    confirmation.proposed = {"name": data.name, "organisation": data.organisation,
                             "partner_group": data.partner_group.value, "actions": list(data.actions)}
    db.session.flush()
    if not emailed_lately:
        _ask_to_confirm(event, existing.email, confirmation)


def _emailed_since(email: str, since: dt.datetime) -> bool:
    """Whether this form already emailed the address lately: so sending it in a loop cannot flood anyone."""
    return db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.kind == KIND, OutboxMessage.to_address == email, OutboxMessage.created_at >= since
    ).limit(1)) is not None


def _ask_to_confirm(event: Event, email: str, confirmation: CardConfirmation) -> None:
    links = EmailLinks(confirm=("card-confirmation", confirmation.id))
    queue_email(
        kind=KIND, to=email,
        subject=f"Confirm the change to your action card for {event.title}"[:200],
        body=(
            "Hello,\n\n"
            f"An action card for “{event.title}” was sent with this email address, which already has a card there. "
            f"To replace your card with the new one, open this link within {MAX_AGE.days} days and confirm:\n\n"
            f"{links['confirm']}\n\n"
            "If you did not send it, ignore this email: your card stays as it is.\n"
        ),
        links=links.stored(),
    )


def _tell_it_is_with_the_team(event: Event, email: str) -> None:
    queue_email(
        kind=KIND, to=email, subject=f"Your action card for {event.title}"[:200],
        body=(
            "Hello,\n\n"
            f"An action card for “{event.title}” was sent with this email address. Your card there is already "
            "with the project team, so it was not changed. If something on it needs correcting, ask the team.\n\n"
            "If you did not send it, you need do nothing.\n"
        ),
    )


@link_maker("card-confirmation")
def confirmation_url(confirmation_id: int) -> str | None:
    if db.session.get(CardConfirmation, confirmation_id) is None:
        return None
    return external_url("public_cards.confirm", token=make_token(PURPOSE, confirmation_id))


class ConfirmationProblem(Exception):
    """The link cannot be used; the message says why, for the person."""


def confirmation_for(token: str) -> CardConfirmation:
    try:
        confirmation_id = read_token(PURPOSE, token, int(MAX_AGE.total_seconds()))
    except LinkProblem as problem:
        raise ConfirmationProblem(
            "This link has expired: send the card again from the event's link." if str(problem) == "expired"
            else "This link is not valid. Check you copied the whole link.") from None
    confirmation = db.session.scalar(select(CardConfirmation).where(CardConfirmation.id == confirmation_id)) \
        if isinstance(confirmation_id, int) else None
    if confirmation is None:
        raise ConfirmationProblem("This card is no longer waiting for you to confirm it.")
    if confirmation.used_at is not None:
        raise ConfirmationProblem("This change was confirmed already: your card holds it.")
    return confirmation


def proposed_card(confirmation: CardConfirmation) -> CardData:
    proposed = confirmation.proposed
    return CardData(email=confirmation.card.email, name=proposed["name"], organisation=proposed["organisation"],
                    partner_group=PartnerGroup(proposed["partner_group"]), actions=proposed["actions"])


def confirm(confirmation: CardConfirmation) -> None:
    """Apply the confirmed change; CardRefused if the card went to the team in the meantime."""
    card = confirmation.card
    save_card(card.event, proposed_card(confirmation), CardSource.ONLINE)
    confirmation.used_at = utcnow()
    db.session.flush()
