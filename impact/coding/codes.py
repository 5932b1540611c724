"""What coding an answer and coding a practitioner's update share: an item's codes replaced by the ones
chosen, and the influencing factors those codes evidence."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from impact.coding.models import FactorTheme
from impact.extensions import db
from impact.projects.models import Project
from impact.toc.models import FactorDirection


def replace_codes(project: Project, model, owner: str, owner_id: int,
                  chosen: set[tuple[int, FactorDirection]]) -> None:
    """Make the item's codes (rows of ``model`` whose ``owner`` column is ``owner_id``) exactly ``chosen``
    (theme id, direction) pairs of this project's themes."""
    valid = set(db.session.scalars(select(FactorTheme.id).where(FactorTheme.project_id == project.id)))
    chosen = {(theme_id, direction) for theme_id, direction in chosen if theme_id in valid}
    existing = {(code.theme_id, code.direction): code for code in
                db.session.scalars(select(model).where(getattr(model, owner) == owner_id))}
    for key, code in existing.items():
        if key not in chosen:
            db.session.delete(code)
    for theme_id, direction in chosen - set(existing):
        db.session.add(model(**{owner: owner_id}, theme_id=theme_id, direction=direction))
    db.session.flush()


def coded_factors(model, owner: str, owner_id: int) -> dict[int, tuple[str, FactorDirection]]:
    """{factor id: (note, direction)} for the factors the item's codes evidence. A code evidences its theme's
    factors of the same direction only: what hindered someone shows a hindering factor at work, never
    support for a helping one."""
    notes: dict[int, list[str]] = {}
    directions: dict[int, FactorDirection] = {}
    for code in db.session.scalars(
        select(model).where(getattr(model, owner) == owner_id)
        .options(selectinload(model.theme).selectinload(FactorTheme.factors))
    ):
        for factor in code.theme.factors:
            if factor.direction is code.direction:
                notes.setdefault(factor.id, []).append(f"Coded “{code.theme.name}” ({code.direction.label.lower()})")
                directions[factor.id] = code.direction
    return {factor_id: ("; ".join(found), directions[factor_id]) for factor_id, found in notes.items()}
