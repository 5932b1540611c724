"""Saved versions of a project's work (chain revisions, story snapshots) and what changed between two.

A feature saves its payload as plain data (lists of records with an id) and says how two of its
records differ; pairing the records by id here means a step that was renamed is recognised as the
same step rather than as one removed and another added. The compare pages of every feature are laid
out from a Comparison, so they read and behave alike (templates/_snapshots.html).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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


@dataclass
class Diff:
    changes: list[Change]
    headings: Sequence[tuple[str, str]]  # (what, heading) of the listed sections, in page order

    def of(self, what: str) -> list[Change]:
        return [c for c in self.changes if c.what == what]

    def sections(self) -> list[tuple[str, str, list[Change]]]:
        return [(what, heading, self.of(what)) for what, heading in self.headings]

    def texts(self) -> list[Change]:
        return [c for c in self.changes if c.before is not None or c.after is not None]

    def __bool__(self) -> bool:
        return bool(self.changes)


def no_detail(record: Record) -> str:
    return ""


def diff_records(what: str | Callable[[Record], str], old: Iterable[Record], new: Iterable[Record], *,
                 label: Callable[[Record], str], key: str = "id",
                 added: Callable[[Record], str] | None = no_detail,
                 removed: Callable[[Record], str] | None = no_detail,
                 changed: Callable[[Record, Record], Iterable[Change]] | None = None,
                 in_order: bool = False) -> list[Change]:
    """The changes between two lists of records, paired by ``record[key]``.

    ``added`` and ``removed`` give the detail shown for a record found on one side only (None: such
    records are not reported); ``changed`` lists what differs in a record found on both. ``what`` may
    depend on the record (an assumption that became a risk is listed among the risks).

    By default the added records come first, then the removed, then the changed, each by key (a
    record's age). ``in_order`` follows the payload instead: the new list as it runs (added and
    changed as they come), then what was removed, as the old list ran.
    """
    section = what if callable(what) else (lambda record: what)
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
                changes.append(Change("added", section(now), label(now), added(now)))
        elif now is None:
            if removed is not None:
                changes.append(Change("removed", section(was), label(was), removed(was)))
        elif changed is not None:
            changes.extend(changed(was, now))
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
    limit: int | None = None  # a section longer than this is cut (and says how long it is) ...
    show_all: bool = False  # ... unless every change was asked for


def compare(options: list[Any], old_key: str, new_key: str, *, current_label: str,
            current: Callable[[], Record], saved: Callable[[Any], tuple[str, Record]],
            diff: Callable[[Record, Record], Diff], limit: int | None = None, show_all: bool = False) -> Comparison:
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
    return Comparison(options, old_key, new_key, current_label, old_label, new_label, found, limit, show_all)
