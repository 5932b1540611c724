"""Evidence items and links, including the ones derived from follow-up responses."""
from __future__ import annotations

from sqlalchemy import select

from impact.cards.models import action_steps
from impact.column_limits import clip
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.extensions import db
from impact.followups.models import Progress, Response
from impact.model_types import utcnow

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


def _summary(response: Response) -> str:
    lines = []
    for answer in response.progress:
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
    texts += [text for answer in response.progress for text in (answer.helped, answer.hindered) if text]
    return max(texts, key=len) if texts else ""


def sync_response_evidence(response: Response) -> EvidenceItem:
    """Create or refresh the evidence item for a response and its links to mapped steps.

    Links the team has edited (origin MANUAL) are left exactly as the team set them.
    """
    card = response.followup.card
    campaign = response.followup.campaign
    event_title = campaign.event.title
    item = response.evidence_item
    if item is None:
        item = EvidenceItem(project_id=card.project_id, kind=EvidenceKind.ACTION_CARD_RESPONSE)
    who = response.pseudonym if response.consent_to_quote and response.pseudonym else card.partner_group.label.lower()
    item.title = clip(EvidenceItem.title, f"Follow-up response ({who}): {event_title}")
    item.evidence_date = response.updated_at.date()
    item.source = clip(EvidenceItem.source, f"Action-card follow-up, {event_title}")
    item.partner_group = card.partner_group
    item.consent_to_quote = response.consent_to_quote
    item.pseudonym = response.pseudonym if response.consent_to_quote else ""
    item.summary = _summary(response)
    item.quote = _quote(response)
    if response.evidence_item is None:
        db.session.add(item)
        response.evidence_item = item
    db.session.flush()

    progress_by_action = {answer.action_id: answer.progress for answer in response.progress}
    best: dict[int, Progress] = {}
    if progress_by_action:
        for action_id, step_id in db.session.execute(
            select(action_steps.c.action_id, action_steps.c.step_id).where(
                action_steps.c.action_id.in_(list(progress_by_action)))
        ):
            progress = progress_by_action[action_id]
            if step_id not in best or progress.rank > best[step_id].rank:
                best[step_id] = progress
    existing = {link.step_id: link for link in item.links if link.step_id is not None}
    for step_id, progress in best.items():
        link = existing.get(step_id)
        if link is None:
            item.links.append(EvidenceLink(step_id=step_id, stance=STANCE_FROM_PROGRESS[progress],
                                           strength=STRENGTH_FROM_PROGRESS[progress],
                                           origin=LinkOrigin.ACTION_MAPPING, note=f"Progress: {progress.label}"))
        elif link.origin == LinkOrigin.ACTION_MAPPING:
            link.stance, link.strength = STANCE_FROM_PROGRESS[progress], STRENGTH_FROM_PROGRESS[progress]
            link.note = f"Progress: {progress.label}"
    for step_id, link in existing.items():
        if step_id not in best and link.origin == LinkOrigin.ACTION_MAPPING:
            item.links.remove(link)
    db.session.flush()
    return item


def sync_coded_factors(item: EvidenceItem, coded: dict[int, tuple[str, str]]) -> None:
    """Make the item's coding-derived factor links match ``coded`` (factor id → (note, passage)).

    The passage is the part of the item's words the coding is about; shown as the link's quote
    (with the item's consent), it keeps a hindering factor from being "evidenced" by a helping quote.
    """
    existing = {link.factor_id: link for link in item.links if link.factor_id is not None}
    for factor_id, (note, passage) in coded.items():
        link = existing.get(factor_id)
        if link is None:
            item.links.append(EvidenceLink(factor_id=factor_id, stance=Stance.SUPPORTS, strength=Strength.WEAK,
                                           origin=LinkOrigin.CODING, note=note, quote=passage))
        elif link.origin == LinkOrigin.CODING:
            link.stance, link.note, link.quote = Stance.SUPPORTS, note, passage
    for factor_id, link in existing.items():
        if factor_id not in coded and link.origin == LinkOrigin.CODING:
            item.links.remove(link)
    db.session.flush()


def set_link_judgement(link: EvidenceLink, stance: Stance, strength: Strength, note: str) -> None:
    """The team's own judgement; from now on automatic updates leave this link alone."""
    link.stance, link.strength, link.note, link.origin = stance, strength, note, LinkOrigin.MANUAL
    # Links have no version of their own: touching the item bumps its version, so a link form opened
    # before this change (in the evidence library) is refused as outdated instead of overwriting it.
    link.item.updated_at = utcnow()
    db.session.flush()


