"""The project home's step 4 (assess the contribution story): what is assessed, what is stale, and the
chain coloured by progress and confidence, with charts of both by level."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import exists, or_, select

from impact.assessment.models import Assessment, Confidence, ProgressRating
from impact.assessment.queries import current_revisions
from impact.charts.svg import stacked_bar_chart
from impact.evidence.models import EvidenceItem, EvidenceLink
from impact.evidence.queries import live_items
from impact.extensions import db
from impact.projects.dashboard import Chart, Line, Tone
from impact.projects.permissions import Need, may
from impact.text_filters import counted
from impact.toc.services import Chain, chain_for_page
from impact.toc.views import coloured_diagram

PROGRESS_PARTS = [("Good", "#1b7a3d"), ("Some", "#d49a00"), ("Low", "#c2410c"), ("None", "#6b7280"),
                  ("Not assessed", "#e5e7eb")]
CONFIDENCE_PARTS = [("High", "#14487a"), ("Medium", "#3d7fc1"), ("Low", "#a9c8e8"), ("Not assessed", "#e5e7eb")]
_PROGRESS = (ProgressRating.GOOD, ProgressRating.SOME, ProgressRating.LOW, ProgressRating.NONE, None)
_CONFIDENCE = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW, None)


def current_ratings(project_id: int) -> dict[tuple[str, int], tuple[ProgressRating, Confidence]]:
    """{("step", id) or ("link", id): (progress, confidence)} of the current assessments, one query."""
    latest = current_revisions(project_id)
    rows = db.session.execute(
        select(Assessment.step_id, Assessment.link_id, Assessment.progress, Assessment.confidence)
        .join(latest, latest.c.id == Assessment.id)
    )
    return {(("step", step_id) if step_id is not None else ("link", link_id)): (progress, confidence)
            for step_id, link_id, progress, confidence in rows}


def stale_targets(project_id: int) -> set[tuple[str, int]]:
    """Steps and links whose current assessment was saved before evidence (still live) was last linked to
    them, in one query: each current assessment is asked whether a newer link exists on its step or link,
    which stops at the first one found (a MAX over every link of the project worked out the newest of each).
    """
    latest = current_revisions(project_id)

    def newer_evidence_on(target):
        return exists().where(target == getattr(Assessment, target.key),
                              EvidenceLink.created_at > Assessment.created_at,
                              EvidenceLink.item_id == EvidenceItem.id,
                              EvidenceItem.project_id == Assessment.project_id, live_items())

    rows = db.session.execute(
        select(Assessment.step_id, Assessment.link_id).join(latest, latest.c.id == Assessment.id)
        .where(or_(Assessment.step_id.is_not(None) & newer_evidence_on(EvidenceLink.step_id),
                   Assessment.link_id.is_not(None) & newer_evidence_on(EvidenceLink.link_id))))
    return {("step", step_id) if step_id is not None else ("link", link_id) for step_id, link_id in rows}


def _by_level(chain: Chain, ratings, index: int, order) -> list[tuple[str, list[int]]]:
    bars = []
    for level in chain.levels:
        counts = [0] * len(order)
        for step in chain.steps_by_level.get(level.id, []):
            rating = ratings.get(("step", step.id))
            counts[order.index(rating[index] if rating else None)] += 1
        if any(counts):
            bars.append((level.name, counts))
    return bars


def _chart(title: str, parts, bars, position: int) -> Chart:
    return Chart(title, stacked_bar_chart(title, parts, bars), ("Level", *(label for label, _ in parts)),
                 [(name, *counts) for name, counts in bars], position)


def dashboard(project, linked: bool) -> dict:
    if not linked:
        return {}
    chain = chain_for_page(project.id)
    ratings = current_ratings(project.id)
    stale = stale_targets(project.id)
    overview = url_for("assessment.overview", project_id=project.id)
    steps_done = sum(1 for step in chain.steps if ("step", step.id) in ratings)
    links_done = sum(1 for link in chain.links if ("link", link.id) in ratings)
    lines = [Line(4, f"{steps_done} of {counted(chain.steps, 'step')} and {links_done} of "
                     f"{counted(chain.links, 'link')} assessed.", overview, link_text="Assess the steps")]
    may_edit = may(project, Need.EDIT)
    if chain.steps and steps_done < len(chain.steps):
        left = len(chain.steps) - steps_done
        lines.append(Line(4, f"{left} step{'s' if left != 1 else ''} not yet assessed.",
                          overview if may_edit else None, Tone.TODO))
    if stale:
        many = len(stale) != 1
        lines.append(Line(4, f"{len(stale)} assessment{'s are' if many else ' is'} older than the newest evidence "
                             f"on {'their' if many else 'its'} step or link.",
                          overview + "#stale" if may_edit else None, Tone.TODO))
    steps = [{"id": step.id, "level_id": step.level_id, "title": step.title,
              "progress": ratings[("step", step.id)][0].value if ("step", step.id) in ratings else None,
              "confidence": ratings[("step", step.id)][1].value if ("step", step.id) in ratings else None,
              "flag": None} for step in chain.steps]
    charts = []
    if chain.steps:
        charts = [_chart("Steps by progress, per level", PROGRESS_PARTS, _by_level(chain, ratings, 0, _PROGRESS), 10),
                  _chart("Steps by confidence, per level", CONFIDENCE_PARTS,
                         _by_level(chain, ratings, 1, _CONFIDENCE), 20)]

    def diagram():
        return coloured_diagram(
            [{"id": level.id, "name": level.name} for level in chain.levels], steps,
            [{"source": link.source_step_id, "target": link.target_step_id} for link in chain.links],
            title=f"Results chain of {project.title}, coloured by progress and confidence",
            href=lambda step_id: url_for("toc.step", project_id=project.id, step_id=step_id))
    return {"dashboard": lines, "dashboard_charts": charts, "diagram": diagram, "diagram_coloured": True,
            "stale_assessments": stale}
