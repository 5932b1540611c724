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
