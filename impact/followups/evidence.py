"""A follow-up response as evidence: the item it writes in the library, and that item's links to the steps
its answered actions are tagged with."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from impact.cards.models import action_steps
from impact.evidence.derived import DerivedFrom, DerivedLink, refresh_derived_item
from impact.evidence.models import EvidenceItem, EvidenceKind, Stance, Strength
from impact.evidence.signals import item_derived_from
from impact.extensions import db
from impact.followups.models import Campaign, FollowUp, Progress, Response

STANCE_FROM_PROGRESS = {
    Progress.NONE: Stance.CHALLENGES,
    Progress.A_LITTLE: Stance.MIXED,
    Progress.SOME: Stance.SUPPORTS,
    Progress.A_LOT: Stance.SUPPORTS,
    Progress.DONE: Stance.SUPPORTS,
}
# A respondent's own account of their progress is self-report: never strong on its own.
STRENGTH_FROM_PROGRESS = {
    Progress.NONE: Strength.WEAK,
    Progress.A_LITTLE: Strength.WEAK,
    Progress.SOME: Strength.WEAK,
    Progress.A_LOT: Strength.MODERATE,
    Progress.DONE: Strength.MODERATE,
}


def _answers(response: Response) -> list:
    # In one order however they were loaded (the form reads them in the card's order, others by action),
    # so rewriting an item from the same answers changes nothing.
    return sorted(response.progress, key=lambda answer: answer.action.id)  # a new answer has no action_id yet


def _summary(response: Response) -> str:
    lines = []
    for answer in _answers(response):
        lines.append(f"Action: {answer.action.text}\nProgress: {answer.progress.label}")
        if answer.helped:
            lines.append(f"Helped: {answer.helped}")
        if answer.hindered:
            lines.append(f"Hindered: {answer.hindered}")
    for label, text in (("What helped", response.helped), ("What hindered", response.hindered),
                        ("Anything else", response.anything_else)):
        if text:
            lines.append(f"{label}: {text}")
    return "\n\n".join(lines)


def _quote(response: Response) -> str:
    if not response.consent_to_quote:
        return ""
    texts = [text for text in (response.helped, response.hindered, response.anything_else) if text]
    texts += [text for answer in _answers(response) for text in (answer.helped, answer.hindered) if text]
    return max(texts, key=len) if texts else ""


def step_links_of(progress_by_action: dict[int, Progress]) -> dict[int, DerivedLink]:
    """Each step an answered action is tagged with, judged by the best progress among its actions."""
    best: dict[int, Progress] = {}
    if progress_by_action:
        for action_id, step_id in db.session.execute(
            select(action_steps.c.action_id, action_steps.c.step_id).where(
                action_steps.c.action_id.in_(list(progress_by_action)))
        ):
            progress = progress_by_action[action_id]
            if step_id not in best or progress.rank > best[step_id].rank:
                best[step_id] = progress
    return {step_id: DerivedLink(STANCE_FROM_PROGRESS[progress], STRENGTH_FROM_PROGRESS[progress],
                                 f"Progress: {progress.label}") for step_id, progress in best.items()}


def load_response_item(response: Response) -> None:
    """The response's item and its links, read (before the response changes, or the reads would flush it)."""
    item = response.evidence_item
    if item is not None:
        for link in item.links:
            # So a flush finds a changed link's project from its item (projects.stamps), not by asking for its step's.
            set_committed_value(link, "item", item)


def sync_response_evidence(response: Response, step_links: dict[int, DerivedLink] | None = None) -> EvidenceItem:
    """Create or refresh the evidence item for a response and its links to mapped steps (``step_links``:
    step_links_of its progress, if the caller read them already).

    Links the team has edited (origin MANUAL) are left exactly as the team set them.
    """
    if step_links is None:
        step_links = step_links_of({answer.action_id: answer.progress for answer in response.progress})
    load_response_item(response)
    card = response.followup.card
    event_title = response.followup.campaign.event.title
    who = response.pseudonym if response.consent_to_quote and response.pseudonym else card.partner_group.label.lower()
    return refresh_derived_item(response, "evidence_item", project_id=card.project_id,
                                kind=EvidenceKind.ACTION_CARD_RESPONSE, fields={
                                    "title": f"Follow-up response ({who}): {event_title}",
                                    "evidence_date": response.updated_at.date(),
                                    "source": f"Action-card follow-up, {event_title}",
                                    "partner_group": card.partner_group,
                                    "consent_to_quote": response.consent_to_quote,
                                    "pseudonym": response.pseudonym if response.consent_to_quote else "",
                                    "summary": _summary(response),
                                    "quote": _quote(response),
                                }, step_links=step_links)


@item_derived_from.connect
def _written_by_response(item: EvidenceItem) -> DerivedFrom | None:
    """An item mirroring a response is the respondent's: the library sends the team to the response."""
    row = db.session.execute(
        select(Response.id, FollowUp.campaign_id, Campaign.event_id)
        .join(FollowUp, FollowUp.id == Response.followup_id).join(Campaign, Campaign.id == FollowUp.campaign_id)
        .where(Response.evidence_item_id == item.id)
    ).first()
    if row is None:
        return None
    return DerivedFrom(url_for("followups.response", project_id=item.project_id, event_id=row.event_id,
                               campaign_id=row.campaign_id, response_id=row.id))
