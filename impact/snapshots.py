"""Saved versions of a project's work (chain revisions, story snapshots) and what changed between two.

A feature saves its payload as plain data (lists of records with an id) and says how two of its
records differ; pairing the records by id here means a step that was renamed is recognised as the
same step rather than as one removed and another added. The compare pages of every feature are laid
out from a Comparison, so they read and behave alike (templates/_snapshots.html).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from impact.extensions import db

Record = dict[str, Any]
CURRENT = "current"  # the compare page's key for the work as it is now, next to saved numbers


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "renamed", "moved", "changed"
    what: str  # the section of the comparison it is listed in
    label: str
    detail: str = ""
    # A long text (the story's conclusion) is shown whole, before beside after, rather than described.
    before: str | None = None
    after: str | None = None
    level: int | None = None  # the level of the chain it belongs to (None: the whole chain or story)


KINDS = ("added", "removed", "renamed", "moved", "changed")  # the order of a level's groups of one section


@dataclass(frozen=True)
class ChangeGroup:
    """The changes of one kind to one section's records within a level: "Steps added (3)"."""

    key: str  # names it in the page (its id, and ?open= to open it)
    what: str
    kind: str
    noun: str  # the section's records in the plural ("steps")
    changes: list[Change]

    @property
    def heading(self) -> str:
        return f"{self.noun[:1].upper()}{self.noun[1:]} {self.kind}"


@dataclass(frozen=True)
class LevelChanges:
    level: int | None  # None: the changes tied to no level (claims, say)
    name: str
    groups: list[ChangeGroup]

    @property
    def count(self) -> int:
        return sum(len(group.changes) for group in self.groups)


@dataclass
class Diff:
    changes: list[Change]
    headings: Sequence[tuple[str, str]]  # (what, heading) of the listed sections, in page order
    levels: Sequence[tuple[int, str]] = ()  # (id, name) of the chain's levels on either side, in chain order
    # (singular, plural) for the records of each section and text ("the conclusion"), as the totals name them
    nouns: dict[str, tuple[str, str]] = field(default_factory=dict)
    unplaced: str = "Across the chain"  # the name of the changes tied to no level

    def of(self, what: str) -> list[Change]:
        return [c for c in self.changes if c.what == what]

    def sections(self) -> list[tuple[str, str, list[Change]]]:
        return [(what, heading, self.of(what)) for what, heading in self.headings]

    def texts(self) -> list[Change]:
        return [c for c in self.changes if c.before is not None or c.after is not None]

    def _noun(self, what: str, count: int) -> str:
        singular, plural = self.nouns.get(what, (what, what))
        return singular if count == 1 else plural

    def by_level(self) -> list[LevelChanges]:
        """The listed changes by level in chain order (those tied to none last), then by section in page
        order and kind (added, removed, renamed, moved, changed), each group in the order it was found."""
        sections = [what for what, _heading in self.headings]
        names = dict(self.levels)
        found: dict[int | None, dict[tuple[str, str], list[Change]]] = {}
        for change in self.changes:
            if change.what in sections:
                level = change.level if change.level in names else None
                found.setdefault(level, {}).setdefault((change.what, change.kind), []).append(change)
        result = []
        for level in [*names, None]:
            groups = found.get(level)
            if not groups:
                continue
            ordered = sorted(groups.items(), key=lambda pair: (sections.index(pair[0][0]),
                                                               KINDS.index(pair[0][1]) if pair[0][1] in KINDS
                                                               else len(KINDS)))
            result.append(LevelChanges(level, names.get(level, self.unplaced),
                                       [ChangeGroup(f"{level or 'chain'}-{what}-{kind}", what, kind,
                                                    self._noun(what, 2), changes)
                                        for (what, kind), changes in ordered]))
        return result

    def totals(self) -> list[str]:
        """Each kind of change to each section's records, counted, in page order: ["3 steps added", ...]."""
        counts: dict[tuple[str, str], int] = {}
        for change in self.changes:
            counts[(change.what, change.kind)] = counts.get((change.what, change.kind), 0) + 1
        order = [what for what, _heading in self.headings]
        ranked = sorted(counts.items(), key=lambda pair: (
            order.index(pair[0][0]) if pair[0][0] in order else len(order),
            KINDS.index(pair[0][1]) if pair[0][1] in KINDS else len(KINDS)))
        return [self._total(what, kind, count) for (what, kind), count in ranked]

    def _total(self, what: str, kind: str, count: int) -> str:
        noun = self._noun(what, count)
        # "the conclusion changed", not "1 the conclusion changed"
        return f"{noun} {kind}" if noun.startswith("the ") else f"{count:,} {noun} {kind}"

    def __bool__(self) -> bool:
        return bool(self.changes)


def no_detail(record: Record) -> str:
    return ""


def diff_records(what: str | Callable[[Record], str], old: Iterable[Record], new: Iterable[Record], *,
                 label: Callable[[Record], str], key: str = "id",
                 added: Callable[[Record], str] | None = no_detail,
                 removed: Callable[[Record], str] | None = no_detail,
                 changed: Callable[[Record, Record], Iterable[Change]] | None = None,
                 in_order: bool = False, level: Callable[[Record], int | None] | None = None) -> list[Change]:
    """The changes between two lists of records, paired by ``record[key]``.

    ``added`` and ``removed`` give the detail shown for a record found on one side only (None: such
    records are not reported); ``changed`` lists what differs in a record found on both. ``what`` may
    depend on the record (an assumption that became a risk is listed among the risks).

    By default the added records come first, then the removed, then the changed, each by key (a
    record's age). ``in_order`` follows the payload instead: the new list as it runs (added and
    changed as they come), then what was removed, as the old list ran.
    """
    section = what if callable(what) else (lambda record: what)
    placed = level or (lambda record: None)
    before = {record[key]: record for record in old}
    after = {record[key]: record for record in new}
    if in_order:
        pairs = [(before.get(k), record) for k, record in after.items()]
        pairs += [(record, None) for k, record in before.items() if k not in after]
    else:
        pairs = [(None, after[k]) for k in sorted(after.keys() - before.keys())]
        pairs += [(before[k], None) for k in sorted(before.keys() - after.keys())]
        pairs += [(before[k], after[k]) for k in sorted(before.keys() & after.keys())]
    changes: list[Change] = []
    for was, now in pairs:
        if was is None:
            if added is not None:
                changes.append(Change("added", section(now), label(now), added(now), level=placed(now)))
        elif now is None:
            if removed is not None:
                changes.append(Change("removed", section(was), label(was), removed(was), level=placed(was)))
        elif changed is not None:
            changes.extend(change if change.level is not None else replace(change, level=placed(now))
                           for change in changed(was, now))
    return changes


# Saved versions ---------------------------------------------------------------------------------
# A saved-version model has project_id, number (1, 2, ... per project), name, created_by and a
# payload column; the list pages and the compare page's choices read them without their payload.

def next_number(model: Any, project_id: int) -> int:
    """One more than the project's latest; two saves at once may both get it, and the unique
    constraint on (project_id, number) refuses the second."""
    return (db.session.scalar(select(func.max(model.number)).where(model.project_id == project_id)) or 0) + 1


def numbered_or_404(model: Any, project_id: int, number: int):
    """The project's version with this number (numbers are per project, so never another project's)."""
    return db.first_or_404(select(model).where(model.project_id == project_id, model.number == number))


def versions_query(model: Any, payload: Any, project_id: int, *, with_authors: bool = True):
    """A project's saved versions, newest first, for lists.

    A payload holds the whole chain or story, so lists leave it unloaded (and raise rather than
    quietly fetch it row by row).
    """
    query = (
        select(model).where(model.project_id == project_id)
        .order_by(model.number.desc())
        .options(defer(payload, raiseload=True))
    )
    if with_authors:
        query = query.options(selectinload(model.created_by))
    return query


@dataclass
class Comparison:
    """What a compare page shows: the saved versions to choose from, the two chosen, what changed."""

    options: list[Any]  # saved versions, newest first, without their payloads
    old_key: str
    new_key: str
    current_label: str
    old_label: str | None
    new_label: str | None
    diff: Diff | None  # None when either side is not found
    limit: int | None = None  # a group longer than this is cut (and says how long it is) ...
    show_all: bool = False  # ... unless every change was asked for
    opened: str = ""  # the key of the group unfolded as the page opens (a link to it), or "all"

    def is_open(self, group: ChangeGroup) -> bool:
        return self.opened in ("all", group.key)


def compare(options: list[Any], old_key: str, new_key: str, *, current_label: str,
            current: Callable[[], Record], saved: Callable[[Any], tuple[str, Record]],
            diff: Callable[[Record, Record], Diff], limit: int | None = None, show_all: bool = False,
            opened: str = "") -> Comparison:
    """Compare two versions chosen by key: a saved number, or CURRENT for the work as it is now.

    Without an old key the newest saved version is taken. Only the two chosen payloads are read,
    and only from among the options (the project's own).
    """
    if not old_key and options:
        old_key = str(options[0].number)

    def pick(key: str) -> tuple[str | None, Record | None]:
        if key == CURRENT:
            return current_label, current()
        for option in options:
            if key == str(option.number):
                return saved(option)
        return None, None

    old_label, old = pick(old_key)
    new_label, new = pick(new_key)
    found = diff(old, new) if old and new else None
    return Comparison(options, old_key, new_key, current_label, old_label, new_label, found, limit, show_all, opened)
