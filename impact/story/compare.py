"""What changed between two versions of the story (two snapshots, or a snapshot and now)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from impact.extensions import db
from impact.local_time import format_local
from impact.projects.models import Project
from impact.snapshots import Change, Comparison, Diff, Record, compare, diff_records
from impact.story.models import StorySnapshot
from impact.story.services import build_content, label, snapshots_query, withhold_quotes

# Per group of the comparison (a level's evidence added, say), unless asked for all: the groups are folded,
# but each is in the page, and at 19,000 changes 100 a group made it 200 KB.
CHANGES_SHOWN = 25

SECTIONS = (
    ("steps", "Steps added or removed"),
    ("assessments", "Progress and confidence"),
    ("evidence", "Evidence"),
    ("assumptions", "Assumptions and risks"),
    ("claims", "Contribution claims"),
)
NOUNS = {
    "steps": ("step", "steps"), "assessments": ("assessment", "assessments"),
    "evidence": ("evidence link", "evidence links"), "assumptions": ("assumption or risk", "assumptions and risks"),
    "claims": ("contribution claim", "contribution claims"), "conclusion": ("the conclusion", "the conclusion"),
}


def _link_label(link: Record) -> str:
    return f"{link['source_title']} → {link['target_title']}"


def _probability(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.2f}"


def _assessment_changes(what: str, old: Record, new: Record) -> list[Change]:
    """One change for a part's new assessment: "progress: Some → Good; confidence: Low → High"."""
    details = [f"{key}: {label(key, old.get(key))} → {label(key, new.get(key))}"
               for key in ("progress", "confidence") if old.get(key) != new.get(key)]
    return [Change("changed", "assessments", what, "; ".join(details))] if details else []


def _evidence_changes(on: str, old: list[Record], new: list[Record]) -> list[Change]:
    def changed(before: Record, after: Record) -> list[Change]:
        if (before["stance"], before["strength"]) == (after["stance"], after["strength"]):
            return []
        return [Change(
            "changed", "evidence", after["title"],
            f"on {on}: {label('stance', before['stance'])}, {label('strength', before['strength']).lower()}"
            f" → {label('stance', after['stance'])}, {label('strength', after['strength']).lower()}")]

    return diff_records("evidence", old, new, key="item_id", label=lambda entry: entry["title"],
                        added=lambda entry: f"{label('stance', entry['stance'])}, on {on}",
                        removed=lambda entry: f"on {on}", changed=changed)


def _assumption_changes(name: str, old: list[Record], new: list[Record]) -> list[Change]:
    def changed(before: Record, after: Record) -> list[Change]:
        if before["status"] == after["status"]:
            return []
        return [Change("changed", "assumptions", after["text"],
                       f"on {name}: {label('state', before['status'])} → {label('state', after['status'])}")]

    # Assumptions taken off, like links added or removed, are listed by the chain's revisions, not here.
    return diff_records("assumptions", old, new, label=lambda a: a["text"], added=lambda a: f"on {name}",
                        removed=None, changed=changed, in_order=True)


def _step_changes(before: Record, after: Record) -> list[Change]:
    return [*_assessment_changes(f"Step “{after['title']}”", before, after),
            *_evidence_changes(f"the step “{after['title']}”", before["evidence"], after["evidence"])]


def _link_changes(before: Record, after: Record) -> list[Change]:
    name = _link_label(after)
    return [*_assessment_changes(f"Link {name}", before, after),
            *_evidence_changes(f"the link {name}", before["evidence"], after["evidence"]),
            *_assumption_changes(name, before["assumptions"], after["assumptions"])]


def _claim_changed(before: Record, after: Record) -> list[Change]:
    if (before["prior"], before["posterior"]) == (after["prior"], after["posterior"]):
        return []
    return [Change("changed", "claims", after["statement"],
                   f"prior {_probability(before['prior'])} → {_probability(after['prior'])}; "
                   f"posterior {_probability(before['posterior'])} → {_probability(after['posterior'])}")]


def diff_stories(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    # A step's changes are listed under its level (as it is now), a link's under its source step's, as the
    # story itself lists them; claims belong to no level.
    levels = {level["id"]: level["name"] for level in [*new["levels"], *old["levels"]][::-1]}
    level_of = {step["id"]: step["level_id"] for step in [*old["steps"], *new["steps"]]}
    changes = [
        *diff_records("steps", old["steps"], new["steps"], label=lambda step: step["title"],
                      changed=_step_changes, in_order=True, level=lambda step: step["level_id"]),
        *diff_records("links", old["links"], new["links"], label=_link_label, added=None, removed=None,
                      changed=_link_changes, in_order=True, level=lambda link: level_of.get(link["source"])),
        *diff_records("claims", old["claims"], new["claims"], label=lambda claim: claim["statement"],
                      added=lambda claim: f"posterior {_probability(claim['posterior'])}",
                      changed=_claim_changed, in_order=True),
    ]
    before, after = old["conclusion"]["text"], new["conclusion"]["text"]
    if before != after:
        changes.append(Change("changed", "conclusion", "The team's conclusion", before=before, after=after))
    order = [level["id"] for level in new["levels"]] + [level["id"] for level in old["levels"]]
    return Diff(changes, SECTIONS, [(level, levels[level]) for level in dict.fromkeys(order)], NOUNS,
                unplaced="Across the story")


def comparison(project: Project, old_key: str, new_key: str, *, show_all: bool = False,
               opened: str = "") -> Comparison:
    """Two snapshots compared; ``current`` stands for the story as it reads now."""
    def saved(option: StorySnapshot) -> tuple[str, dict[str, Any] | None]:
        content = db.session.scalar(select(StorySnapshot.content).where(StorySnapshot.id == option.id))
        # A snapshot's quotes are checked against today's consent; the current story needs no check.
        content, = withhold_quotes(project.id, content)
        return f"Snapshot {option.number}: {option.name} ({format_local(option.created_at, 'date', project)})", content

    return compare(list(db.session.scalars(snapshots_query(project))), old_key, new_key,
                   current_label="The story as it reads now", current=lambda: build_content(project),
                   saved=saved, diff=diff_stories, limit=CHANGES_SHOWN, show_all=show_all, opened=opened)
