"""A published version of the report as a document to hand over: the content both files share, drawn once.

The PDF (A4, contents, page numbers, the chain diagram and the charts as SVG) is HTML printed by
WeasyPrint; the Word file (python-docx) holds the same text for a team to edit into their own.
Both come from the published version only, with today's consent applied to its quotes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from impact.local_time import format_local
from impact.projects.models import PartnerGroup, Project
from impact.publishing.models import PublishedReport
from impact.publishing.services import story_of
from impact.story.services import label
from impact.story.view import StoryView, evidence_sides, story_view

PROGRESS_ORDER = ("good", "some", "low", "none", None)
SIDES = {"supports": "for", "challenges": "against", "mixed": "mixed"}


@dataclass
class ReportStep:
    title: str
    level: str
    progress: str
    confidence: str
    rationale: str
    evidence: list[tuple[str, list[dict[str, Any]]]]  # (side heading, strongest entries)
    counts: str


@dataclass
class ReportDocument:
    title: str
    version: str
    published: str
    question: str
    conclusion: str
    figures: list[tuple[str, str]]
    steps: list[ReportStep]
    claims: list[tuple[str, str, str]]
    progress_counts: list[tuple[str, int]]
    voice_counts: list[tuple[str, int]]
    diagram: Markup = field(default_factory=Markup)
    confidence_counts: list[tuple[str, int]] = field(default_factory=list)
    response_by_group: list[tuple[str, str, str, str]] = field(default_factory=list)  # group, cards, answered, rate
    helping: list[tuple[str, int]] = field(default_factory=list)  # factors, most evidenced first
    hindering: list[tuple[str, int]] = field(default_factory=list)
    evidence_by_kind: list[tuple[str, int]] = field(default_factory=list)
    timeline: list[tuple[str, int]] = field(default_factory=list)  # evidence items per quarter
    voice_by_level: list[tuple[str, str]] = field(default_factory=list)  # level, "3 practitioner, 1 carer"

    @property
    def first_paragraph(self) -> str:
        return next((para.strip() for para in self.conclusion.split("\n\n") if para.strip()), "")


def _percent(rate) -> str:
    return f"{rate * 100:.0f}%" if isinstance(rate, (int, float)) else "not shown (too few people)"


def build(project: Project, report: PublishedReport, view: StoryView | None = None) -> ReportDocument:
    """The document of a published version; ``view``: the page's view of it, whose content and diagram it reuses."""
    if view is None:
        view = story_view(story_of(report), project, live=False, may_read=False,
                          title=f"Results chain of {report.story['project']['title']}, coloured by progress and "
                                "confidence")
    content, data = view.content, report.data
    levels = {level["id"]: level["name"] for level in content["levels"]}
    steps, items = [], {}
    for step in content["steps"]:
        sides = evidence_sides(step.get("evidence", []), 3)
        steps.append(ReportStep(
            title=step["title"], level=levels.get(step["level_id"], ""), progress=label("progress", step["progress"]),
            confidence=label("confidence", step["confidence"]), rationale=step.get("rationale") or "",
            evidence=[(f"Evidence {SIDES.get(side.stance, side.stance)} ({side.total})", side.shown)
                      for side in sides if side.total],
            counts=f"{len(step.get('evidence', []))} evidence links"))
        for entry in step.get("evidence", []):
            items[entry["item_id"]] = entry["partner_group"]
    entries = {entry["item_id"]: entry for step in content["steps"] for entry in step.get("evidence", [])}
    cards = data.get("action_cards", {})
    figures = [("Action cards", str(cards.get("cards", 0))), ("Actions", str(cards.get("actions", 0))),
               ("Follow-ups sent", str(cards.get("followups_sent", 0))),
               ("Respondents", str(cards.get("respondents", 0))),
               ("Response rate", _percent(cards.get("response_rate")))]
    progress = Counter(step["progress"] for step in content["steps"])
    voices = Counter(items.values())
    factors = sorted(data.get("factors", []), key=lambda factor: (-factor["evidence_count"], factor["title"]))
    quarters = Counter(f"{entry['date'][:4]} Q{(int(entry['date'][5:7]) - 1) // 3 + 1}" for entry in entries.values())
    by_level: dict[str, dict[str, str]] = {}
    for step in content["steps"]:
        for entry in step.get("evidence", []):
            by_level.setdefault(levels.get(step["level_id"], ""), {})[entry["item_id"]] = entry["partner_group"]
    confidence = Counter(step["confidence"] for step in content["steps"])
    extra = {
        "confidence_counts": [(label("confidence", value), confidence.get(value, 0))
                              for value in ("high", "medium", "low", None)],
        "response_by_group": [(label("group", group), str(figures_of["cards"]), str(figures_of["respondents"]),
                               _percent(figures_of["response_rate"]))
                              for group, figures_of in cards.get("by_partner_group", {}).items()],
        "helping": [(factor["title"], factor["evidence_count"]) for factor in factors
                    if factor["direction"] == "helping"][:5],
        "hindering": [(factor["title"], factor["evidence_count"]) for factor in factors
                      if factor["direction"] == "hindering"][:5],
        "evidence_by_kind": sorted(Counter(label("kind", entry["kind"]) for entry in entries.values()).items(),
                                   key=lambda pair: -pair[1]),
        "timeline": sorted(quarters.items()),
        "voice_by_level": [(level, ", ".join(f"{count} {label('group', group).lower()}" for group, count in
                                             Counter(groups.values()).most_common()))
                           for level, groups in by_level.items()],
    }
    return ReportDocument(
        title=content["project"]["title"], version=f"Version {report.number}: {report.name}",
        published=format_local(report.published_at, "long_date", project),
        question=content["project"].get("question") or "",
        conclusion=content["conclusion"]["text"], figures=figures, steps=steps,
        claims=[(claim["statement"], f"{claim['prior']:.2f}",
                 "undefined" if claim["posterior"] is None else f"{claim['posterior']:.2f}")
                for claim in content.get("claims", [])],
        progress_counts=[(label("progress", value), progress.get(value, 0)) for value in PROGRESS_ORDER],
        voice_counts=[(group.label, voices.get(group.value, 0)) for group in PartnerGroup],
        diagram=view.diagram, **extra)
