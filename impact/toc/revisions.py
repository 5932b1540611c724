"""Named, dated revisions of a theory of change, and what changed between two of them.

A snapshot stores object ids, so a step that was renamed is recognised as the same
step rather than as one removed and another added.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from impact.auth.models import User
from impact.extensions import db
from impact.projects.models import Project
from impact.toc.models import TocRevision
from impact.toc.services import Chain, load_chain

SNAPSHOT_FORMAT = 1


def snapshot(chain: Chain) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "levels": [{"id": lv.id, "name": lv.name, "description": lv.description} for lv in chain.levels],
        "steps": [
            {"id": s.id, "level_id": s.level_id, "title": s.title, "description": s.description}
            for s in chain.steps
        ],
        "links": [
            {
                "id": link.id,
                "source": link.source_step_id,
                "target": link.target_step_id,
                "note": link.note,
                "assumptions": [
                    {"id": a.id, "kind": a.kind.value, "text": a.text}
                    for a in chain.assumptions_by_link.get(link.id, [])
                ],
            }
            for link in chain.links
        ],
        "factors": [
            {"id": f.id, "step_id": f.step_id, "title": f.title, "direction": f.direction.value,
             "description": f.description}
            for step in chain.steps
            for f in chain.factors_by_step.get(step.id, [])
        ],
    }


def save_revision(project: Project, *, name: str, revision_date: dt.date, note: str, user: User | None) -> TocRevision:
    number = (db.session.scalar(
        select(func.max(TocRevision.number)).where(TocRevision.project_id == project.id)
    ) or 0) + 1
    revision = TocRevision(
        project_id=project.id, number=number, name=name, revision_date=revision_date, note=note,
        snapshot=snapshot(load_chain(project.id)), created_by=user,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def revisions_query(project: Project, *, with_authors: bool = False):
    """A project's revisions, newest first, for lists.

    A snapshot holds the whole chain, so lists leave it unloaded (and raise rather
    than quietly fetch it row by row); read one with revision_snapshot().
    """
    query = (
        select(TocRevision)
        .where(TocRevision.project_id == project.id)
        .order_by(TocRevision.number.desc())
        .options(defer(TocRevision.snapshot, raiseload=True))
    )
    if with_authors:
        query = query.options(selectinload(TocRevision.created_by))
    return query


def revision_snapshot(project: Project, number: int) -> dict[str, Any] | None:
    return db.session.scalar(
        select(TocRevision.snapshot).where(TocRevision.project_id == project.id, TocRevision.number == number)
    )


def get_revision_or_404(project: Project, number: int) -> TocRevision:
    return db.first_or_404(
        select(TocRevision).where(TocRevision.project_id == project.id, TocRevision.number == number)
    )


@dataclass
class Change:
    kind: str  # "added", "removed", "renamed", "moved", "changed"
    what: str  # "level", "step", "link", "assumption", "risk", "factor"
    label: str
    detail: str = ""


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)

    def of(self, what: str) -> list[Change]:
        return [c for c in self.changes if c.what == what]

    def __bool__(self) -> bool:
        return bool(self.changes)


def _by_id(items: list[dict]) -> dict[int, dict]:
    return {item["id"]: item for item in items}


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quoted(text: str) -> str:
    return f"“{_short(text)}”" if text else "none"


def _text_change(name: str, before: str, after: str) -> str:
    if not before:
        return f"{name} added: {_quoted(after)}"
    if not after:
        return f"{name} removed (was {_quoted(before)})"
    return f"{name} was {_quoted(before)}, now {_quoted(after)}"


def _changes(before: dict, after: dict, texts: dict[str, str], choices: dict[str, str] | None = None) -> list[str]:
    """What changed among the given text and choice keys, described in words.

    A key missing from either snapshot (one saved by an older version that did not store
    it) is not compared: its absence says nothing about a change.
    """
    details = []
    for key, name in (choices or {}).items():
        if key in before and key in after and before[key] != after[key]:
            details.append(f"{name} was {before[key]}, now {after[key]}")
    for key, name in texts.items():
        if key in before and key in after and (before[key] or "") != (after[key] or ""):
            details.append(_text_change(name, before[key] or "", after[key] or ""))
    return details


def _with_article(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    diff = Diff()
    old_levels, new_levels = _by_id(old["levels"]), _by_id(new["levels"])
    level_name = {**{i: lv["name"] for i, lv in old_levels.items()}, **{i: lv["name"] for i, lv in new_levels.items()}}
    _compare(diff, "level", old_levels, new_levels, "name", {"description": "Description"})

    old_steps, new_steps = _by_id(old["steps"]), _by_id(new["steps"])
    titles = {**{i: s["title"] for i, s in old_steps.items()}, **{i: s["title"] for i, s in new_steps.items()}}
    _compare(diff, "step", old_steps, new_steps, "title", {"description": "Description"})
    for step_id in sorted(old_steps.keys() & new_steps.keys()):
        before, after = old_steps[step_id]["level_id"], new_steps[step_id]["level_id"]
        if before != after:
            diff.changes.append(Change("moved", "step", titles[step_id],
                                       f"from {level_name.get(before, '?')} to {level_name.get(after, '?')}"))

    def link_label(link: dict) -> str:
        return f"{titles.get(link['source'], '?')} → {titles.get(link['target'], '?')}"

    old_links, new_links = _by_id(old["links"]), _by_id(new["links"])
    for link_id in sorted(new_links.keys() - old_links.keys()):
        diff.changes.append(Change("added", "link", link_label(new_links[link_id])))
    for link_id in sorted(old_links.keys() - new_links.keys()):
        diff.changes.append(Change("removed", "link", link_label(old_links[link_id])))
    for link_id in sorted(old_links.keys() & new_links.keys()):
        details = _changes(old_links[link_id], new_links[link_id], {"note": "Note"})
        if details:
            diff.changes.append(Change("changed", "link", link_label(new_links[link_id]), "; ".join(details)))

    old_assumptions = {a["id"]: (a, link) for link in old["links"] for a in link.get("assumptions", [])}
    new_assumptions = {a["id"]: (a, link) for link in new["links"] for a in link.get("assumptions", [])}
    for a_id in sorted(new_assumptions.keys() - old_assumptions.keys()):
        a, link = new_assumptions[a_id]
        diff.changes.append(Change("added", a["kind"], a["text"], f"on {link_label(link)}"))
    for a_id in sorted(old_assumptions.keys() - new_assumptions.keys()):
        a, link = old_assumptions[a_id]
        diff.changes.append(Change("removed", a["kind"], a["text"], f"on {link_label(link)}"))
    for a_id in sorted(old_assumptions.keys() & new_assumptions.keys()):
        before, after = old_assumptions[a_id][0], new_assumptions[a_id][0]
        details = []
        if before["kind"] != after["kind"]:
            details.append(f"was {_with_article(before['kind'])}, now {_with_article(after['kind'])}")
        if before["text"] != after["text"]:
            details.append(f"was “{before['text']}”")
        if details:
            diff.changes.append(Change("changed", after["kind"], after["text"], "; ".join(details)))

    old_factors, new_factors = _by_id(old["factors"]), _by_id(new["factors"])
    _compare(diff, "factor", old_factors, new_factors, "title", {"description": "Description"},
             {"direction": "Direction"})
    return diff


def _compare(diff: Diff, what: str, old: dict[int, dict], new: dict[int, dict], key: str,
             texts: dict[str, str] | None = None, choices: dict[str, str] | None = None) -> None:
    """Added, removed and renamed objects (by ``key``), and changes to their other texts and choices."""
    for obj_id in sorted(new.keys() - old.keys()):
        diff.changes.append(Change("added", what, new[obj_id][key]))
    for obj_id in sorted(old.keys() - new.keys()):
        diff.changes.append(Change("removed", what, old[obj_id][key]))
    for obj_id in sorted(old.keys() & new.keys()):
        if old[obj_id][key] != new[obj_id][key]:
            diff.changes.append(Change("renamed", what, new[obj_id][key], f"was “{old[obj_id][key]}”"))
        details = _changes(old[obj_id], new[obj_id], texts or {}, choices)
        if details:
            diff.changes.append(Change("changed", what, new[obj_id][key], "; ".join(details)))
