"""Permission cases for assessments and evidence standards (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

from sqlalchemy import select

from impact.assessment.models import (
    Assessment,
    AssessmentComment,
    AssumptionState,
    Confidence,
    EvidenceStandard,
    ProgressRating,
)
from impact.assessment.services import AssessmentValues, current_number, save_assessment, save_standards
from impact.extensions import db
from impact.projects.permissions import Need
from impact.toc.models import Assumption, Link
from tests.permission_cases import Case, get, post

A = "/projects/{p}/assessment"

CASES: list[Case] = [
    get("assessment.overview", A + "/", Need.READ),
    get("assessment.assess_step", A + "/steps/{step}", Need.EDIT),
    post("assessment.comment_on_step", A + "/steps/{step}/comments", Need.CONTRIBUTE, text="Carers see it otherwise",
         dissent="y", about_number="1"),
    post("assessment.assess_step", A + "/steps/{step}", Need.EDIT,
         progress="good", confidence="medium", rationale="Attendance sheets", based_on="{as_step_number}"),
    get("assessment.assess_link", A + "/links/{link}", Need.EDIT),
    post("assessment.assess_link", A + "/links/{link}", Need.EDIT,
         progress="some", confidence="low", based_on="{as_link_number}", **{"assumption_{assumption}": "partly"}),
    get("assessment.history", A + "/steps/{step}/history", Need.READ),
    get("assessment.link_history", A + "/links/{link}/history", Need.READ),
    get("assessment.standards", A + "/standards", Need.READ),
    post("assessment.standards", A + "/standards", Need.EDIT,
         low="One source", medium="Two sources", high="Many sources", version="{as_standard_version}"),
]


def _link_with_assumption(project) -> Link:
    return db.session.scalar(select(Link).join(Assumption, Assumption.link_id == Link.id)
                             .where(Link.project_id == project.id).order_by(Link.id).limit(1))


def furnish(project, step) -> None:
    """Create what these routes need (the caller commits): an assessed step and link, saved standards."""
    values = AssessmentValues(ProgressRating.SOME, Confidence.LOW, "Seminars ran", "")
    save_assessment(project, step, 0, values, None)
    link = _link_with_assumption(project)
    assumption_id = db.session.scalar(select(Assumption.id).where(Assumption.link_id == link.id))
    save_assessment(project, link, 0, AssessmentValues(ProgressRating.LOW, Confidence.LOW, "", "",
                                                       {assumption_id: AssumptionState.UNKNOWN}), None)
    save_standards(project, 0, low="Low", medium="Medium", high="High")


def world(project) -> dict[str, object]:
    from impact.toc.models import Step

    seminars = db.session.scalar(select(Step).where(Step.project_id == project.id, Step.title == "Seminars"))
    standard = db.session.get(EvidenceStandard, project.id)
    return {
        "as_step_number": current_number(seminars),
        "as_link_number": current_number(_link_with_assumption(project)),
        "as_standard_version": standard.version if standard else 0,
    }


def state(project) -> tuple:
    standard = db.session.get(EvidenceStandard, project.id)
    return (
        list(db.session.execute(
            select(Assessment.id, Assessment.number, Assessment.refused, Assessment.progress)
            .where(Assessment.project_id == project.id).order_by(Assessment.id))),
        (standard.low, standard.version) if standard else None,
        list(db.session.scalars(select(AssessmentComment.text).where(AssessmentComment.project_id == project.id))),
    )
