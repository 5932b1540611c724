"""The evidence-item picker of a claim's test forms: a bounded list instead of every item of the library.

A project holds thousands of items; one <select> of them all was most of the claim page's time (issue
15). The picker offers the items linked to the claim's step or link, those whose title matches a search
(a plain GET parameter, so it works without JavaScript) and the item already chosen, each list cut at
CAP with a note saying how many there were. Whatever the library's size the page runs the same
statements: at most one for the linked items, one for the search, and none for the chosen item, which
the form's validation (one statement for that id) or the test being edited already read.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from wtforms import SelectChoice

from impact.evidence.models import EvidenceItem, EvidenceLink
from impact.evidence.queries import live_items
from impact.extensions import db
from impact.tracing.models import Claim, ClaimTest

CAP = 25  # items offered per list: enough to scan, few enough to render fast
SEARCH_PARAMETER = "item_q"
MAX_SEARCH = 200  # longer searches are cut: no title is that long, and the LIKE stays cheap


@dataclass(frozen=True)
class ItemList:
    """Up to CAP items (id, title) of one kind, and how many there are in all."""

    label: str
    items: list[tuple[int, str]]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.items)


@dataclass(frozen=True)
class ItemPicker:
    query: str
    linked: ItemList | None  # None when the claim is about the whole story
    matches: ItemList | None  # None without a search
    chosen: tuple[int, str] | None
    cap: int = CAP

    def choices(self) -> list[SelectChoice]:
        """"None", then each list as an optgroup; an item in several lists is offered once, in the first."""
        choices, offered = [SelectChoice("", "None")], set()
        for group in (self.linked, self.matches):
            for item_id, title in group.items if group else ():
                if item_id not in offered:
                    offered.add(item_id)
                    choices.append(SelectChoice(str(item_id), title, optgroup=group.label))
        if self.chosen and self.chosen[0] not in offered:
            choices.append(SelectChoice(str(self.chosen[0]), self.chosen[1], optgroup="Chosen"))
        return choices

    @property
    def notes(self) -> list[str]:
        """What the lists leave out, said next to the search and the select."""
        notes = []
        if self.matches is not None and not self.matches.total:
            notes.append(f"No evidence item's title contains “{self.query}”.")
        elif self.matches is not None and self.matches.cut:
            notes.append(f"Showing {len(self.matches.items)} of {self.matches.total} items matching "
                         f"“{self.query}”; refine the search.")
        if self.linked is not None and self.linked.cut:
            notes.append(f"Showing {len(self.linked.items)} of {self.linked.total} items "
                         f"{self.linked.label.lower()}; search to find the others.")
        return notes


def search_text(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_SEARCH]


def _first(query, cap: int) -> tuple[list[tuple[int, str]], int]:
    """The first `cap` rows of a select of (id, title), with the count of all of them, in one statement."""
    rows = db.session.execute(query.add_columns(func.count().over().label("total"))
                              .order_by(func.lower(EvidenceItem.title), EvidenceItem.id).limit(cap)).all()
    return [(row.id, row.title) for row in rows], (rows[0].total if rows else 0)


def _live(project_id: int):
    return select(EvidenceItem.id, EvidenceItem.title).where(EvidenceItem.project_id == project_id, live_items())


def linked_items(claim: Claim, cap: int = CAP) -> ItemList | None:
    """The live items linked to the claim's step or link (each at most once: a link is unique per item)."""
    if claim.step_id is not None:
        column, label, target = EvidenceLink.step_id, "Linked to the claim's step", claim.step_id
    elif claim.link_id is not None:
        column, label, target = EvidenceLink.link_id, "Linked to the claim's link", claim.link_id
    else:
        return None
    items, total = _first(_live(claim.project_id).join(EvidenceLink, EvidenceLink.item_id == EvidenceItem.id)
                          .where(column == target), cap)
    return ItemList(label, items, total)


def matching_items(project_id: int, query: str, cap: int = CAP) -> ItemList | None:
    if not query:
        return None
    items, total = _first(_live(project_id).where(EvidenceItem.title.icontains(query, autoescape=True)), cap)
    return ItemList(f"Matching “{query}”", items, total)


def live_item_title(project_id: int, item_id: int) -> tuple[int, str] | None:
    """(id, title) of a live item of the project, or None: the one statement that checks a chosen item."""
    row = db.session.execute(_live(project_id).where(EvidenceItem.id == item_id)).first()
    return (row.id, row.title) if row else None


def item_of(test: ClaimTest | None) -> tuple[int, str] | None:
    """The item a test rests on, if it is still live (read with the claim's tests: no statement)."""
    item = test.item if test is not None else None
    return (item.id, item.title) if item is not None and item.deleted_at is None else None


def picker(claim: Claim, query: str, chosen: tuple[int, str] | None) -> ItemPicker:
    return ItemPicker(query, linked_items(claim), matching_items(claim.project_id, query), chosen)
