"""Named, dated revisions of a theory of change, and what changed between two of them.

A snapshot stores object ids, so a step that was renamed is recognised as the same
step rather than as one removed and another added (impact/snapshots.py pairs them).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from impact.auth.models import User
from impact.extensions import db
from impact.projects.models import Project
from impact.snapshots import Change, Comparison, Diff, Record, compare, diff_records, next_number, versions_query
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
             "description": f.description, "also_step_ids": chain.factor_steps.get(f.id, [f.step_id])[1:]}
            for f in chain.factors
        ],
    }


def save_revision(project: Project, *, name: str, revision_date: dt.date, note: str, user: User | None) -> TocRevision:
    revision = TocRevision(
        project_id=project.id, number=next_number(TocRevision, project.id), name=name,
        revision_date=revision_date, note=note, snapshot=snapshot(load_chain(project.id)), created_by=user,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def revisions_query(project: Project, *, with_authors: bool = False):
    """A project's revisions, newest first, without their snapshots; read one with revision_snapshot()."""
    return versions_query(TocRevision, TocRevision.snapshot, project.id, with_authors=with_authors)


def revision_snapshot(project: Project, number: int) -> dict[str, Any] | None:
    return db.session.scalar(
        select(TocRevision.snapshot).where(TocRevision.project_id == project.id, TocRevision.number == number)
    )


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




# What changed between two snapshots ------------------------------------------------------------

SECTIONS = (("level", "Levels"), ("step", "Steps"), ("link", "Links"), ("assumption", "Assumptions"),
            ("risk", "Risks"), ("factor", "Influencing factors"))
NOUNS = {"level": ("level", "levels"), "step": ("step", "steps"), "link": ("link", "links"),
         "assumption": ("assumption", "assumptions"), "risk": ("risk", "risks"),
         "factor": ("influencing factor", "influencing factors")}


def _named(what: str, old: list[Record], new: list[Record], key: str, texts: dict[str, str],
           choices: dict[str, str] | None = None, *, level) -> list[Change]:
    """Added, removed and renamed objects (by ``key``), and changes to their other texts and choices."""
    def changed(before: Record, after: Record) -> list[Change]:
        found = []
        if before[key] != after[key]:
            found.append(Change("renamed", what, after[key], f"was “{before[key]}”"))
        details = _changes(before, after, texts, choices)
        if details:
            found.append(Change("changed", what, after[key], "; ".join(details)))
        return found

    return diff_records(what, old, new, label=lambda record: record[key], changed=changed, level=level)


def _assumption_changed(before: Record, after: Record) -> list[Change]:
    details = []
    if before["kind"] != after["kind"]:
        details.append(f"was {_with_article(before['kind'])}, now {_with_article(after['kind'])}")
    if before["text"] != after["text"]:
        details.append(f"was “{before['text']}”")
    return [Change("changed", after["kind"], after["text"], "; ".join(details))] if details else []


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    # Names as they are now where they still exist, so a renamed step's links read the same on both sides.
    level_name = {lv["id"]: lv["name"] for lv in [*old["levels"], *new["levels"]]}
    titles = {s["id"]: s["title"] for s in [*old["steps"], *new["steps"]]}
    # Each change is listed under its level: a step's (as it is now), a link's, its assumptions' and risks'
    # under the level of the step it starts from, a factor's under its step's.
    level_of = {s["id"]: s["level_id"] for s in [*old["steps"], *new["steps"]]}

    def link_label(link: Record) -> str:
        return f"{titles.get(link['source'], '?')} → {titles.get(link['target'], '?')}"

    def moved(before: Record, after: Record) -> list[Change]:
        if before["level_id"] == after["level_id"]:
            return []
        return [Change("moved", "step", titles[after["id"]],
                       f"from {level_name.get(before['level_id'], '?')} to {level_name.get(after['level_id'], '?')}")]

    def link_changed(before: Record, after: Record) -> list[Change]:
        details = _changes(before, after, {"note": "Note"})
        return [Change("changed", "link", link_label(after), "; ".join(details))] if details else []

    def assumptions(snap: dict[str, Any]) -> list[Record]:
        return [{**a, "on": link_label(link), "source": link["source"]}
                for link in snap["links"] for a in link.get("assumptions", [])]

    def from_step(key: str):
        return lambda record: level_of.get(record[key])

    def on_link(assumption: Record) -> str:
        return f"on {assumption['on']}"

    def factor_steps_changed(before: Record, after: Record) -> list[Change]:
        # Which steps a factor bears on (a revision saved before factors were shared names one step).
        was = {before["step_id"], *before.get("also_step_ids", [])}
        now = {after["step_id"], *after.get("also_step_ids", [])}
        details = [f"now also on “{titles.get(step, '?')}”" for step in sorted(now - was, key=str)]
        details += [f"no longer on “{titles.get(step, '?')}”" for step in sorted(was - now, key=str)]
        return [Change("changed", "factor", after["title"], "; ".join(details))] if details else []

    changes = [
        *_named("level", old["levels"], new["levels"], "name", {"description": "Description"},
                level=lambda lv: lv["id"]),
        *_named("step", old["steps"], new["steps"], "title", {"description": "Description"}, level=from_step("id")),
        *diff_records("step", old["steps"], new["steps"], label=lambda s: s["title"], added=None, removed=None,
                      changed=moved, level=from_step("id")),
        *diff_records("link", old["links"], new["links"], label=link_label, changed=link_changed,
                      level=from_step("source")),
        *diff_records(lambda a: a["kind"], assumptions(old), assumptions(new), label=lambda a: a["text"],
                      added=on_link, removed=on_link, changed=_assumption_changed, level=from_step("source")),
        *_named("factor", old["factors"], new["factors"], "title", {"description": "Description"},
                {"direction": "Direction"}, level=from_step("step_id")),
        *diff_records("factor", old["factors"], new["factors"], label=lambda f: f["title"], added=None,
                      removed=None, changed=factor_steps_changed, level=from_step("step_id")),
    ]
    order = dict.fromkeys([lv["id"] for lv in new["levels"]] + [lv["id"] for lv in old["levels"]])
    return Diff(changes, SECTIONS, [(level, level_name[level]) for level in order], NOUNS)


def comparison(project: Project, old_key: str, new_key: str, *, opened: str = "") -> Comparison:
    """Two revisions compared; ``current`` stands for the chain as it is now."""
    def saved(option: TocRevision) -> tuple[str, dict[str, Any] | None]:
        label = f"Revision {option.number}: {option.name} ({option.revision_date:%d %b %Y})"
        return label, revision_snapshot(project, option.number)

    return compare(list(db.session.scalars(revisions_query(project))), old_key, new_key,
                   current_label="The chain as it is now", current=lambda: snapshot(load_chain(project.id)),
                   saved=saved, diff=diff_snapshots, opened=opened)
