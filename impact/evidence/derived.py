"""Items another part writes from its own rows (a follow-up response), coded links, a link's judgement."""
from __future__ import annotations

from dataclasses import dataclass

from impact.column_limits import clip
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.evidence.signals import item_derived_from
from impact.extensions import db
from impact.model_types import utcnow


@dataclass(frozen=True)
class DerivedLink:
    """A link to a step that the deriving part's own data implies (an answered action's progress)."""

    stance: Stance
    strength: Strength
    note: str


@dataclass(frozen=True)
class DerivedFrom:
    """What writes a derived item: its page, where the team goes to see or change the source."""

    url: str
    what: str = "a follow-up response"  # "This evidence comes from ..."
    whose: str = "the respondent"


def refresh_derived_item(owner, attribute: str, *, project_id: int, kind: EvidenceKind, fields: dict,
                         step_links: dict[int, DerivedLink]) -> EvidenceItem:
    """Create or refresh the item ``owner.<attribute>`` (a response's, an update's...) points at, whose
    fields and step links that part writes from its own rows; a new item is pointed at from there.

    Text is fitted to its column. Links the team has edited (origin MANUAL) are left exactly as the
    team set them; derived links to steps no longer implied go.
    """
    item = getattr(owner, attribute)
    if item is None:
        item = EvidenceItem(project_id=project_id, kind=kind, links=[])  # known empty: not read back after the flush
        db.session.add(item)
        setattr(owner, attribute, item)
    for name, value in fields.items():
        setattr(item, name, clip(getattr(EvidenceItem, name), value) if isinstance(value, str) else value)

    # One flush writes the item with its links: a new item's are known empty, an old one's are read (autoflushing).
    existing = {link.step_id: link for link in item.links if link.step_id is not None}
    for step_id, derived in step_links.items():
        link = existing.get(step_id)
        if link is None:
            item.links.append(EvidenceLink(step_id=step_id, stance=derived.stance, strength=derived.strength,
                                           origin=LinkOrigin.ACTION_MAPPING, note=derived.note))
        elif link.origin == LinkOrigin.ACTION_MAPPING:
            link.stance, link.strength, link.note = derived.stance, derived.strength, derived.note
    for step_id, link in existing.items():
        if step_id not in step_links and link.origin == LinkOrigin.ACTION_MAPPING:
            item.links.remove(link)
    db.session.flush()
    return item


def derived_from(item: EvidenceItem) -> DerivedFrom | None:
    """What writes this item, if another part does: its fields are rewritten from there, so the library
    does not edit them."""
    for _receiver, answer in item_derived_from.send(item):
        if answer is not None:
            return answer
    return None


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


