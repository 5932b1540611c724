"""The project home's step 3 (gather the existing evidence): how much there is, which steps have none,
and whose voice it is."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from impact.charts.svg import bar_chart
from impact.evidence.models import EvidenceItem, EvidenceTally
from impact.evidence.queries import live_items
from impact.extensions import db
from impact.projects.dashboard import Chart, Line, Tone
from impact.projects.models import PartnerGroup
from impact.text_filters import counted
from impact.toc.models import Step


def dashboard(project, linked: bool) -> dict:
    if not linked:
        return {}
    by_group = dict(db.session.execute(
        select(EvidenceItem.partner_group, func.count())
        .where(EvidenceItem.project_id == project.id, live_items()).group_by(EvidenceItem.partner_group)).all())
    # The tally holds a row for each step with live evidence (kept by the database), not every link.
    evidenced = select(EvidenceTally.target_id).where(EvidenceTally.project_id == project.id,
                                                      EvidenceTally.target_kind == "step")
    steps, bare = db.session.execute(
        select(func.count(Step.id), func.count(Step.id).filter(Step.id.not_in(evidenced)))
        .where(Step.project_id == project.id)).one()
    items = sum(by_group.values())
    lines = [Line(3, f"{counted(items, 'evidence item')}; {steps - bare} of {counted(steps, 'step')} "
                     "with evidence.", url_for("evidence.index", project_id=project.id), link_text="Evidence")]
    if bare:
        lines.append(Line(3, f"{counted(bare, 'step')} {'has' if bare == 1 else 'have'} no evidence.",
                          url_for("story.gaps", project_id=project.id), Tone.TODO, "What evidence is missing"))
    charts = []
    if items:
        bars = [(group.label, by_group.get(group, 0)) for group in PartnerGroup]
        charts.append(Chart("Evidence items by partner group", bar_chart("Evidence items by partner group", bars),
                            ("Partner group", "Items"), bars, 30))
    return {"dashboard": lines, "dashboard_charts": charts}
