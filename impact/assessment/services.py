"""Saving assessments as revisions, and the project's evidence standards.

A save states the revision its author started from (``based_on``). If someone else saved a
revision in the meantime, the save is refused but still stored (marked refused, without a
number), so no one's judgement is lost and the author can look at both and save again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from impact.assessment.models import (
    Assessment,
    AssumptionState,
    AssumptionStatus,
    Confidence,
    EvidenceStandard,
    ProgressRating,
)
from impact.assessment.queries import current_assessment
from impact.concurrency import EditConflict, ensure_current
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import Project
from impact.toc.models import Link, Step


@dataclass(frozen=True)
class AssessmentValues:
    progress: ProgressRating
    confidence: Confidence
    rationale: str = ""
    alternatives: str = ""
    # For a link: {assumption id: state} for the assumptions and risks on it.
    assumption_states: dict[int, AssumptionState] = field(default_factory=dict)


@dataclass
class SaveOutcome:
    saved: Assessment  # the row stored: the new revision, or the refused submission
    current: Assessment | None = None  # when refused: the revision that got there first

    @property
    def conflict(self) -> bool:
        return self.saved.refused


def target_column(target: Step | Link):
    """The Assessment column pointing at this kind of target."""
    return Assessment.step_id if isinstance(target, Step) else Assessment.link_id


def current_number(target: Step | Link) -> int:
    """The number of the target's current revision, 0 when it has never been assessed."""
    column = target_column(target)
    return db.session.scalar(
        select(func.max(Assessment.number)).where(column == target.id, Assessment.refused.is_(False))
    ) or 0


def _row(project: Project, target: Step | Link, based_on: int, values: AssessmentValues, user,
         number: int | None) -> Assessment:
    row = Assessment(
        project_id=project.id, based_on=based_on, number=number, refused=number is None,
        progress=values.progress, confidence=values.confidence,
        rationale=values.rationale, alternatives=values.alternatives,
        author_id=user.id if user is not None else None, created_at=utcnow(),
        assumption_states=[AssumptionStatus(assumption_id=assumption_id, state=state)
                           for assumption_id, state in sorted(values.assumption_states.items())],
    )
    if isinstance(target, Step):
        row.step_id = target.id
    else:
        row.link_id = target.id
    return row


def save_assessment(project: Project, target: Step | Link, based_on: int, values: AssessmentValues,
                    user) -> SaveOutcome:
    """Store a new revision of the target's assessment, or, if the author's starting point is no longer
    the current revision, store the submission as refused and return the current revision beside it."""
    column = target_column(target)
    current = current_assessment(column, target.id)
    number = current.number if current else 0
    if based_on == number:
        # Built before the SAVEPOINT so that nothing but the INSERT runs inside it (on SQLite a read
        # there would hold a lock that keeps a concurrent save from committing).
        row = _row(project, target, based_on, values, user, number + 1)
        try:
            # A SAVEPOINT, so that losing a race to the unique (target, number) constraint leaves the
            # rest of the transaction usable for storing the loser's submission as refused.
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            current = current_assessment(column, target.id)  # the save that got in first
        else:
            return SaveOutcome(row)
    refused = _row(project, target, based_on, values, user, None)
    db.session.add(refused)
    db.session.flush()
    return SaveOutcome(refused, current)


# Evidence standards -------------------------------------------------------------------------

def save_standards(project: Project, submitted_version: int | None, *, low: str, medium: str,
                   high: str, minimums: dict[str, int] | None = None) -> EvidenceStandard:
    """Save the project's wording; raises EditConflict (or StaleDataError) when someone saved first.

    The row is created on the first save; the form of a project that has none carries version 0.
    """
    row = db.session.get(EvidenceStandard, project.id)
    if row is None:
        if submitted_version != 0:
            raise EditConflict(None)
        try:
            with db.session.begin_nested():
                row = EvidenceStandard(project_id=project.id, low=low, medium=medium, high=high,
                                       updated_at=utcnow(), **(minimums or {}))
                db.session.add(row)
        except IntegrityError as exc:  # someone else created it at the same moment
            raise EditConflict(None) from exc
        return row
    ensure_current(row, submitted_version)
    row.low, row.medium, row.high, row.updated_at = low, medium, high, utcnow()
    for name, value in (minimums or {}).items():
        setattr(row, name, value)
    db.session.flush()
    return row


# History ------------------------------------------------------------------------------------

def revision_changes(row: Assessment, previous: Assessment | None, assumptions: dict[int, object]) -> list[str]:
    """What a revision changed from the one before it (for a refused save: from the one its author started
    from), in words for the history page."""
    if previous is None:
        return ["First assessment." if not row.refused else "Nothing to compare with."]
    changes = []
    for name, label in (("progress", "Progress"), ("confidence", "Confidence")):
        old, new = getattr(previous, name), getattr(row, name)
        if old != new:
            changes.append(f"{label}: {old.label} → {new.label}")
    for name, label in (("rationale", "Rationale"), ("alternatives", "Alternative explanations")):
        if getattr(previous, name) != getattr(row, name):
            changes.append(f"{label} rewritten")
    old_states = {s.assumption_id: s.state for s in previous.assumption_states}
    for status in row.assumption_states:
        old = old_states.get(status.assumption_id)
        if old != status.state and status.assumption_id in assumptions:
            kind = assumptions[status.assumption_id].kind
            was = old.label_for(kind) if old else "not rated"
            changes.append(f"{assumptions[status.assumption_id].text}: {was} → {status.state.label_for(kind)}")
    return changes or ["No change."]
