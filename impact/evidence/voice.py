"""Whose voice the evidence on a part of the chain comes from: items per partner group, and whether it
rests on one group's word (a step only academics vouch for is weaker than one partners confirm)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from impact.projects.models import PartnerGroup


@dataclass(frozen=True)
class Voices:
    counts: dict[PartnerGroup, int]  # distinct items per group with any, in PartnerGroup's order

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def only_group(self) -> PartnerGroup | None:
        """The one group all the evidence comes from (None without evidence, or with several voices)."""
        return next(iter(self.counts)) if len(self.counts) == 1 else None

    @property
    def summary(self) -> str:
        """In words: "3 practitioner, 1 carer"."""
        return ", ".join(f"{count} {group.label.lower()}" for group, count in self.counts.items())


def voices(items: Iterable[tuple[int, PartnerGroup]]) -> Voices:
    """From (item id, partner group) pairs; an item linked twice counts once."""
    groups = dict(items)
    counts = {group: sum(1 for each in groups.values() if each is group) for group in PartnerGroup}
    return Voices({group: count for group, count in counts.items() if count})


# The partners a KE project works with; their absence at a level of the work is worth seeing.
PARTNERS = (PartnerGroup.ACADEMIC, PartnerGroup.PRACTITIONER, PartnerGroup.MANAGER, PartnerGroup.SERVICE_USER,
            PartnerGroup.CARER)
LEVEL_ORDER = ("Governance", "Activities", "Research and reflection")


@dataclass(frozen=True)
class TakingPart:
    """One level of the work (governance, activities...): its gatherings and which partners took part."""

    level: str
    gatherings: list[dict]  # {what, title, date, url, people: {PartnerGroup: number}}
    people: dict[PartnerGroup, int]

    @property
    def missing(self) -> list[PartnerGroup]:
        return [group for group in PARTNERS if not self.people.get(group)]


def representation(gatherings: Iterable[dict]) -> list[TakingPart]:
    """Gatherings (as the parts that keep them give them) by level, with the people of each group in all."""
    by_level: dict[str, list[dict]] = {}
    for gathering in gatherings:
        by_level.setdefault(gathering["level"], []).append(gathering)
    levels = sorted(by_level, key=lambda name: (LEVEL_ORDER.index(name) if name in LEVEL_ORDER else len(LEVEL_ORDER),
                                                name))
    result = []
    for name in levels:
        rows = sorted(by_level[name], key=lambda gathering: (gathering["date"], gathering["title"]))
        people = {group: sum(row["people"].get(group, 0) for row in rows) for group in PartnerGroup}
        result.append(TakingPart(name, rows, {group: count for group, count in people.items() if count}))
    return result
