"""Coding practitioners' updates (what they did, what changed) to the codebook's themes, as answers are:
the queue of submitted updates not yet coded, their codes, and the evidence the codes give the factors."""
from __future__ import annotations

from flask import abort
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from impact.coding.codes import coded_factors, replace_codes
from impact.coding.models import FactorTheme, UpdateCode
from impact.evidence.derived import sync_coded_factors
from impact.extensions import db
from impact.projects.models import Project
from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus
from impact.toc.models import FactorDirection

PASSAGES = (("what_did", "What they did"), ("what_changed", "What changed"))


def _in_project(project: Project):
    return exists().where(ResearchProject.id == ResearchUpdate.research_project_id,
                          ResearchProject.project_id == project.id)


def _codeable():
    """Submitted (a draft is its author's own until then), with words to code."""
    return (ResearchUpdate.status == UpdateStatus.SUBMITTED) & or_(ResearchUpdate.what_did != "",
                                                                   ResearchUpdate.what_changed != "")


def queue_query(project: Project):
    """Submitted updates with words and no code yet, oldest first."""
    return (
        select(ResearchUpdate)
        .where(_in_project(project), _codeable(), ~exists().where(UpdateCode.update_id == ResearchUpdate.id))
        .order_by(ResearchUpdate.submitted_at, ResearchUpdate.id)
        .options(joinedload(ResearchUpdate.research_project), joinedload(ResearchUpdate.author))
    )


def queue_counts(project: Project) -> tuple[int, int]:
    """(updates waiting to be coded, updates coded), one query."""
    coded = exists().where(UpdateCode.update_id == ResearchUpdate.id)
    waiting, done = db.session.execute(
        select(func.count(ResearchUpdate.id).filter(_codeable(), ~coded), func.count(ResearchUpdate.id).filter(coded))
        .where(_in_project(project))).one()
    return waiting, done


def theme_counts(project: Project) -> dict[int, dict[FactorDirection, int]]:
    counts: dict[int, dict[FactorDirection, int]] = {}
    for theme_id, direction, count in db.session.execute(
        select(UpdateCode.theme_id, UpdateCode.direction, func.count()).join(FactorTheme)
        .where(FactorTheme.project_id == project.id).group_by(UpdateCode.theme_id, UpdateCode.direction)
    ):
        counts.setdefault(theme_id, {})[FactorDirection(direction)] = count
    return counts


def coded_query(theme: FactorTheme, direction: FactorDirection):
    return (
        select(UpdateCode).join(ResearchUpdate, ResearchUpdate.id == UpdateCode.update_id)
        .where(UpdateCode.theme_id == theme.id, UpdateCode.direction == direction)
        .order_by(ResearchUpdate.submitted_at.desc(), UpdateCode.id.desc())
        .options(joinedload(UpdateCode.update).joinedload(ResearchUpdate.research_project))
    )


def codes_of(updates: list[ResearchUpdate]) -> dict[int, set[tuple[int, FactorDirection]]]:
    codes: dict[int, set[tuple[int, FactorDirection]]] = {update.id: set() for update in updates}
    if updates:
        for code in db.session.scalars(select(UpdateCode).where(UpdateCode.update_id.in_(list(codes)))):
            codes[code.update_id].add((code.theme_id, code.direction))
    return codes


def passages(update: ResearchUpdate) -> list[tuple[str, str]]:
    return [(label, getattr(update, name)) for name, label in PASSAGES if getattr(update, name)]


def get_update_or_404(project: Project, update_id: int) -> ResearchUpdate:
    update = db.session.scalar(select(ResearchUpdate).where(ResearchUpdate.id == update_id, _in_project(project),
                                                            ResearchUpdate.status == UpdateStatus.SUBMITTED))
    if update is None:
        abort(404)
    return update


def set_codes(project: Project, update: ResearchUpdate, chosen: set[tuple[int, FactorDirection]]) -> None:
    """Make the update's codes exactly ``chosen``, and its evidence item evidence the themes' factors."""
    replace_codes(project, UpdateCode, "update_id", update.id, chosen)
    sync_factors(update)


def resync_theme(theme: FactorTheme) -> None:
    """A theme's factors changed: the updates coded to it evidence its new set."""
    for update in db.session.scalars(
            select(ResearchUpdate).join(UpdateCode).where(UpdateCode.theme_id == theme.id).distinct()):
        sync_factors(update)


def sync_factors(update: ResearchUpdate) -> None:
    if update.evidence_item is None:
        return
    words = max((text for _, text in passages(update)), key=len, default="")
    sync_coded_factors(update.evidence_item, {
        factor_id: (note, words)
        for factor_id, (note, _) in coded_factors(UpdateCode, "update_id", update.id).items()})
