"""The view-model the live story, a snapshot and a published version all render (templates/story/story.html).

A content holds either every evidence entry (a snapshot, a published version, the live story asked for
all) or only the shown ones with the counts of all (the live story: impact/story/evidence.py). The view
fills in the counts a full content lacks, so the page reads the same figures from either.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from markupsafe import Markup

from impact.evidence.models import Stance
from impact.evidence.voice import Voices
from impact.projects.models import PartnerGroup, Project
from impact.story.evidence import COMPACT_SHOWN, STRENGTH_RANK, STRONGEST_SHOWN
from impact.story.services import label
from impact.toc.views import coloured_diagram

STANCES = (Stance.SUPPORTS.value, Stance.CHALLENGES.value, Stance.MIXED.value)
PROGRESS_ORDER = ("good", "some", "low", "none", None)
CONFIDENCE_ORDER = ("high", "medium", "low", None)
ALL_LEVELS = "all"  # ?open=all: every level unfolded (to read or print it whole)


@dataclass(frozen=True)
class EvidenceSide:
    stance: str
    total: int
    shown: list[dict[str, Any]]

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)


def _strength_order(entry: dict[str, Any]) -> tuple[int, bool]:
    return STRENGTH_RANK.get(entry["strength"], len(STRENGTH_RANK)), not entry.get("quote")


def evidence_sides(entries: list[dict[str, Any]], limit: int | None,
                   totals: dict[str, int] | None = None) -> list[EvidenceSide]:
    """A part's evidence for, against and mixed: on each side the strongest first, quotes before
    none, then newest (the content's order), cut to limit entries; ``totals``: how many there are on
    each side when ``entries`` holds only the shown ones.

    A part can gather hundreds of items; a reader of the story needs the counts and the
    strongest few, and the step's own page (or the full story) lists them all.
    """
    by_stance: dict[str, list[dict[str, Any]]] = {stance: [] for stance in STANCES}
    for entry in entries:
        by_stance.setdefault(entry["stance"], []).append(entry)
    sides = []
    for stance, some in by_stance.items():
        ranked = sorted(some, key=_strength_order)
        total = len(some) if totals is None else totals.get(stance, 0)
        sides.append(EvidenceSide(stance, total, ranked if limit is None else ranked[:limit]))
    return sides


def stance_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(entry["stance"] for entry in entries))


def group_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Distinct items per partner group (an item linked twice counts once)."""
    return dict(Counter({entry["item_id"]: entry["partner_group"] for entry in entries}.values()))


def voices_of(counts: dict[str, int]) -> Voices:
    return Voices({group: counts[group.value] for group in PartnerGroup if counts.get(group.value)})


def tally(counts: dict[str, int]) -> str:
    """How much evidence a part has, in words: "2 for, 0 against, 1 mixed"."""
    if not sum(counts.values()):
        return "no evidence yet"
    mixed = f", {counts['mixed']} mixed" if counts.get("mixed") else ""
    return f"{counts.get('supports', 0)} for, {counts.get('challenges', 0)} against{mixed}"


@dataclass(frozen=True)
class LevelHeadline:
    """A level folded to one line: its steps' progress and confidence, the evidence on them, whose voice."""

    steps: int
    progress: dict[str | None, int]  # rating (None: not assessed) → steps, in PROGRESS_ORDER
    confidence: dict[str | None, int]
    evidence: dict[str, int]  # stance → evidence links on the level's steps
    voices: Voices

    @staticmethod
    def _words(what: str, counts: dict[str | None, int]) -> str:
        return ", ".join(f"{count} {label(what, value).lower() if value else 'not assessed'}"
                         for value, count in counts.items())

    @property
    def progress_words(self) -> str:
        """ "2 good, 1 not assessed" """
        return self._words("progress", self.progress)

    @property
    def confidence_words(self) -> str:
        return self._words("confidence", self.confidence)

    @property
    def evidence_words(self) -> str:
        return tally(self.evidence)

    @property
    def voice_words(self) -> str:
        return self.voices.summary or "nobody yet"


def headline(steps: list[dict[str, Any]], voices: dict[str, int]) -> LevelHeadline:
    def ordered(key: str, order: tuple) -> dict[str | None, int]:
        counts = Counter(step[key] for step in steps)
        return {value: counts[value] for value in order if counts[value]}

    evidence: Counter[str] = Counter()
    for step in steps:
        evidence.update(step["evidence_counts"])
    return LevelHeadline(len(steps), ordered("progress", PROGRESS_ORDER), ordered("confidence", CONFIDENCE_ORDER),
                         {stance: evidence[stance] for stance in STANCES}, voices_of(voices))


@dataclass
class StoryLevel:
    id: int
    name: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    headline: LevelHeadline | None = None
    open: bool = False  # unfolded when the page is opened (asked for by ?level= or ?open=all)


@dataclass
class StoryView:
    content: dict[str, Any]
    levels: list[StoryLevel]
    links_from: dict[int, list[dict[str, Any]]]
    diagram: Markup
    project_id: int
    live: bool  # a snapshot's steps and items may no longer exist, so it links nowhere
    linked: bool  # live, and the reader may open the chain and evidence pages (funders may not)
    full: bool = False  # every evidence entry, not only the strongest few of each side
    all_open: bool = False
    _item_href: str | None = None

    @property
    def conclusion_opening(self) -> str:
        """The conclusion's first paragraph, for the summary at the top."""
        text = self.content["conclusion"]["text"].replace("\r\n", "\n")
        return next((para.strip() for para in text.split("\n\n") if para.strip()), "")

    def sides(self, part: dict[str, Any]) -> list[EvidenceSide]:
        return evidence_sides(part["evidence"], None if self.full else STRONGEST_SHOWN, part["evidence_counts"])

    @staticmethod
    def voices(step: dict[str, Any]) -> Voices:
        return voices_of(step["voices"])

    @staticmethod
    def tally(part: dict[str, Any]) -> str:
        return tally(part["evidence_counts"])

    def strongest(self, part: dict[str, Any]) -> list[dict[str, Any]]:
        """For a factor or an assumption: one short list, strongest first, whichever way it points."""
        ranked = sorted(part["evidence"], key=_strength_order)
        return ranked if self.full else ranked[:COMPACT_SHOWN]

    def step_href(self, step_id: int) -> str:
        return url_for("toc.step", project_id=self.project_id, step_id=step_id)

    def link_href(self, link_id: int) -> str:
        return url_for("toc.link", project_id=self.project_id, link_id=link_id)

    def item_href(self, item_id: int) -> str:
        # Built once and filled in: url_for for each of thousands of entries was a sixth of the page.
        if self._item_href is None:
            self._item_href = url_for("evidence.item", project_id=self.project_id, item_id=2_000_000_000)
        return self._item_href.replace("2000000000", str(item_id))


def _one_voice_flag(step_voices: Voices) -> str | None:
    group = step_voices.only_group
    return f"rests on {group.label.lower()} evidence alone" if group else None


def _counted(content: dict[str, Any]) -> None:
    """Give every part of a full content the counts a bounded one carries (in place: each caller renders a
    content built or copied for it)."""
    def count(part: dict[str, Any]) -> None:
        part.setdefault("evidence_counts", stance_counts(part.get("evidence", [])))
        part.setdefault("evidence", [])

    for step in content["steps"]:
        count(step)
        step.setdefault("voices", group_counts(step["evidence"]))
        for factor in step.get("factors", []):
            count(factor)
    for link in content["links"]:
        count(link)
        for assumption in link.get("assumptions", []):
            count(assumption)
    if "level_voices" not in content:
        by_level: dict[int, list[dict[str, Any]]] = {}
        for step in content["steps"]:
            by_level.setdefault(step["level_id"], []).extend(step["evidence"])
        content["level_voices"] = {level_id: group_counts(entries) for level_id, entries in by_level.items()}


def story_view(content: dict[str, Any], project: Project, *, live: bool, may_read: bool, title: str,
               full: bool = False, opened: int | str | None = None) -> StoryView:
    """``opened``: the level unfolded when the page opens (its id), ALL_LEVELS, or None (all folded)."""
    _counted(content)
    levels = [StoryLevel(level["id"], level["name"], open=opened in (ALL_LEVELS, level["id"]))
              for level in content["levels"]]
    by_id = {level.id: level for level in levels}
    for step in content["steps"]:
        if step["level_id"] in by_id:
            by_id[step["level_id"]].steps.append(step)
    for level in levels:
        level.headline = headline(level.steps, content["level_voices"].get(level.id, {}))
    links_from: dict[int, list[dict[str, Any]]] = {}
    for link in content["links"]:
        links_from.setdefault(link["source"], []).append(link)
    linked = live and may_read
    href = (lambda step_id: url_for("toc.step", project_id=project.id, step_id=step_id)) if linked else None
    # A step resting on one partner group's word is flagged on the diagram too, not only in its section.
    steps = [{**step, "flag": _one_voice_flag(StoryView.voices(step))} for step in content["steps"]]
    diagram = coloured_diagram(content["levels"], steps, content["links"], title=title, href=href)
    return StoryView(content, levels, links_from, diagram, project.id, live, linked, full, opened == ALL_LEVELS)
