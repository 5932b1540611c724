"""Reading evidence for parts of the chain: shared by the step and link pages, the gaps page and the story."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import contains_eager

from impact.evidence.models import EvidenceItem, EvidenceLink, EvidenceTally, Stance
from impact.evidence.voice import Voices, voices
from impact.extensions import db
from impact.projects.models import PartnerGroup


def live_items():
    """Evidence items not in the trash (every reader should start from this)."""
    return EvidenceItem.deleted_at.is_(None)


@dataclass
class EvidenceFor:
    """The evidence bearing on one step, link, assumption or factor, split by stance."""

    supports: list[EvidenceLink] = field(default_factory=list)
    challenges: list[EvidenceLink] = field(default_factory=list)
    mixed: list[EvidenceLink] = field(default_factory=list)

    def add(self, link: EvidenceLink) -> None:
        {Stance.SUPPORTS: self.supports, Stance.CHALLENGES: self.challenges, Stance.MIXED: self.mixed}[
            link.stance].append(link)

    @property
    def count(self) -> int:
        return len(self.supports) + len(self.challenges) + len(self.mixed)

    @property
    def all(self) -> list[EvidenceLink]:
        return self.supports + self.mixed + self.challenges

    @property
    def voices(self) -> Voices:
        return voices((link.item_id, link.item.partner_group) for link in self.all)


def evidence_links_query(project_id: int, column=None, ids=None):
    """Evidence links of live items in the project, each with its item loaded (one query).

    column: EvidenceLink.step_id, .link_id, .assumption_id or .factor_id to keep only links to
    that kind of target (and, with ids, only to those targets).
    """
    query = (
        select(EvidenceLink)
        .join(EvidenceLink.item)
        .where(EvidenceItem.project_id == project_id, live_items())
        .options(contains_eager(EvidenceLink.item))
        .order_by(EvidenceItem.evidence_date.desc(), EvidenceItem.id.desc(), EvidenceLink.id)
    )
    if column is not None:
        query = query.where(column.is_not(None))
        if ids is not None:
            query = query.where(column.in_(list(ids)))
    return query


def evidence_by_target(project_id: int, column, ids=None) -> dict[int, EvidenceFor]:
    """{target id: EvidenceFor} for one kind of target, in one query whatever the amount of evidence."""
    grouped: dict[int, EvidenceFor] = defaultdict(EvidenceFor)
    key = column.key
    for link in db.session.scalars(evidence_links_query(project_id, column, ids)):
        grouped[getattr(link, key)].add(link)
    return grouped


TALLY_STANCE = type_coerce(EvidenceTally.stance, String)  # the stored values, not Enum members
TALLY_GROUP = type_coerce(EvidenceTally.partner_group, String)


def tally_sums(project_id: int, *columns, kind: str | tuple[str, ...] | None = None, sums=()):
    """The project's evidence tally (EvidenceTally, kept by the database) added up by ``columns``: rows of
    the columns, then the links (and ``sums``), in one query. An item links to a target once, so links
    are also distinct items. kind: only the targets of that kind ("step", ...) or kinds."""
    query = (select(*columns, func.sum(EvidenceTally.links), *sums).where(EvidenceTally.project_id == project_id)
             .group_by(*columns))
    if isinstance(kind, str):
        query = query.where(EvidenceTally.target_kind == kind)
    elif kind is not None:
        query = query.where(EvidenceTally.target_kind.in_(kind))
    return db.session.execute(query)


def step_voices(project_id: int) -> dict[int, Voices]:
    """Each step's live evidence items per partner group, from the tally in one query (steps without evidence
    are absent). An item links to a step once, so its links there are its items."""
    counts: dict[int, dict[PartnerGroup, int]] = defaultdict(dict)
    for step_id, value, links in tally_sums(project_id, EvidenceTally.target_id, TALLY_GROUP, kind="step"):
        counts[step_id][PartnerGroup(value)] = links
    return {step_id: Voices({group: by_group[group] for group in PartnerGroup if group in by_group})
            for step_id, by_group in counts.items()}
