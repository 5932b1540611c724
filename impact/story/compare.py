"""What changed between two versions of the story (two snapshots, or a snapshot and now)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from impact.story.services import label


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed"
    label: str
    detail: str = ""


@dataclass
class StoryDiff:
    steps: list[Change] = field(default_factory=list)
    assessments: list[Change] = field(default_factory=list)
    evidence: list[Change] = field(default_factory=list)
    assumptions: list[Change] = field(default_factory=list)
    claims: list[Change] = field(default_factory=list)
    conclusion: tuple[str, str] | None = None  # (old text, new text) when it changed

    def sections(self) -> list[tuple[str, str, list[Change]]]:
        return [
            ("steps", "Steps added or removed", self.steps),
            ("assessments", "Progress and confidence", self.assessments),
            ("evidence", "Evidence", self.evidence),
            ("assumptions", "Assumptions and risks", self.assumptions),
            ("claims", "Contribution claims", self.claims),
        ]

    def __bool__(self) -> bool:
        return any(changes for _, _, changes in self.sections()) or self.conclusion is not None


def _by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _link_label(link: dict[str, Any]) -> str:
    return f"{link['source_title']} → {link['target_title']}"


def _probability(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.2f}"


def _assessment_changes(diff: StoryDiff, what: str, old: dict, new: dict) -> None:
    for key in ("progress", "confidence"):
        if old.get(key) != new.get(key):
            diff.assessments.append(Change(
                "changed", what, f"{key}: {label(key, old.get(key))} → {label(key, new.get(key))}"))


def _evidence_changes(diff: StoryDiff, what: str, old: list[dict], new: list[dict]) -> None:
    old_items = {entry["item_id"]: entry for entry in old}
    new_items = {entry["item_id"]: entry for entry in new}
    for item_id in sorted(new_items.keys() - old_items.keys()):
        entry = new_items[item_id]
        diff.evidence.append(Change("added", f"{entry['title']}", f"{label('stance', entry['stance'])}, on {what}"))
    for item_id in sorted(old_items.keys() - new_items.keys()):
        diff.evidence.append(Change("removed", old_items[item_id]["title"], f"on {what}"))
    for item_id in sorted(old_items.keys() & new_items.keys()):
        before, after = old_items[item_id], new_items[item_id]
        if (before["stance"], before["strength"]) != (after["stance"], after["strength"]):
            diff.evidence.append(Change(
                "changed", after["title"],
                f"on {what}: {label('stance', before['stance'])}, {label('strength', before['strength']).lower()}"
                f" → {label('stance', after['stance'])}, {label('strength', after['strength']).lower()}"))


def _assumption_changes(diff: StoryDiff, name: str, old: list[dict], new: list[dict]) -> None:
    old_assumptions = _by_id(old)
    for assumption in new:
        was = old_assumptions.get(assumption["id"])
        if was is None:
            diff.assumptions.append(Change("added", assumption["text"], f"on {name}"))
        elif was["status"] != assumption["status"]:
            diff.assumptions.append(Change(
                "changed", assumption["text"],
                f"on {name}: {label('state', was['status'])} → {label('state', assumption['status'])}"))


def _step_changes(diff: StoryDiff, old: list[dict], new: list[dict]) -> None:
    old_steps, new_steps = _by_id(old), _by_id(new)
    for step_id, step in new_steps.items():
        if step_id not in old_steps:
            diff.steps.append(Change("added", step["title"]))
    for step_id, step in old_steps.items():
        if step_id not in new_steps:
            diff.steps.append(Change("removed", step["title"]))
    for step_id in [i for i in new_steps if i in old_steps]:
        before, after = old_steps[step_id], new_steps[step_id]
        _assessment_changes(diff, f"Step “{after['title']}”", before, after)
        _evidence_changes(diff, f"the step “{after['title']}”", before["evidence"], after["evidence"])


def _link_changes(diff: StoryDiff, old: list[dict], new: list[dict]) -> None:
    old_links, new_links = _by_id(old), _by_id(new)
    for link_id in [i for i in new_links if i in old_links]:
        before, after = old_links[link_id], new_links[link_id]
        name = _link_label(after)
        _assessment_changes(diff, f"Link {name}", before, after)
        _evidence_changes(diff, f"the link {name}", before["evidence"], after["evidence"])
        _assumption_changes(diff, name, before["assumptions"], after["assumptions"])


def _claim_changes(diff: StoryDiff, old: list[dict], new: list[dict]) -> None:
    old_claims, new_claims = _by_id(old), _by_id(new)
    for claim_id, claim in new_claims.items():
        was = old_claims.get(claim_id)
        if was is None:
            diff.claims.append(Change("added", claim["statement"], f"posterior {_probability(claim['posterior'])}"))
        elif (was["prior"], was["posterior"]) != (claim["prior"], claim["posterior"]):
            diff.claims.append(Change(
                "changed", claim["statement"],
                f"prior {_probability(was['prior'])} → {_probability(claim['prior'])}; "
                f"posterior {_probability(was['posterior'])} → {_probability(claim['posterior'])}"))
    for claim_id, claim in old_claims.items():
        if claim_id not in new_claims:
            diff.claims.append(Change("removed", claim["statement"]))


def diff_stories(old: dict[str, Any], new: dict[str, Any]) -> StoryDiff:
    diff = StoryDiff()
    _step_changes(diff, old["steps"], new["steps"])
    _link_changes(diff, old["links"], new["links"])
    _claim_changes(diff, old["claims"], new["claims"])
    if old["conclusion"]["text"] != new["conclusion"]["text"]:
        diff.conclusion = (old["conclusion"]["text"], new["conclusion"]["text"])
    return diff
