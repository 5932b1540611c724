"""Does a confidence rating meet the project's own evidence standard? Checked, never enforced: the team
may have reasons the counts do not see, but it rates knowing what the standard asks."""
from __future__ import annotations

from dataclasses import dataclass

from impact.assessment.models import EvidenceStandard
from impact.evidence.models import Strength
from impact.evidence.queries import EvidenceFor
from impact.extensions import db
from impact.text_filters import counted


@dataclass(frozen=True)
class Minimums:
    sources: int  # evidence items for it (supporting, or mixed)
    groups: int  # partner groups those items come from


DEFAULT_MINIMUMS = {"medium": Minimums(2, 2), "high": Minimums(3, 2)}


def minimums(project_id: int) -> dict[str, Minimums]:
    row = db.session.get(EvidenceStandard, project_id)
    if row is None:
        return dict(DEFAULT_MINIMUMS)
    return {"medium": Minimums(row.medium_min_sources, row.medium_min_groups),
            "high": Minimums(row.high_min_sources, row.high_min_groups)}


def shortfalls(level: str, evidence: EvidenceFor | None, needs: dict[str, Minimums], kind: str) -> list[str]:
    """What the evidence on a step or link lacks for ``level`` (low, medium, high) by the standard."""
    need = needs.get(level)
    if need is None:
        return []
    backing = (evidence.supports + evidence.mixed) if evidence is not None else []
    groups_of_items = {link.item_id: link.item.partner_group for link in backing}
    groups = set(groups_of_items.values())
    strong_against = {link.item_id for link in (evidence.challenges if evidence is not None else [])
                      if link.strength == Strength.STRONG}
    name, problems = level.capitalize(), []
    if len(groups_of_items) < need.sources:
        problems.append(f"{name} needs {counted(need.sources, 'source')} or more for it; "
                        f"this {kind} has {len(groups_of_items)}.")
    if len(groups) < need.groups:
        problems.append(f"{name} needs sources from {need.groups} or more partner groups; "
                        f"this {kind}'s come from {len(groups)}.")
    if strong_against:
        problems.append(f"{name} needs nothing strong against it; this {kind} has "
                        f"{counted(len(strong_against), 'strong source')} against it.")
    return problems
