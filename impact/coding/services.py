"""The codebook of factor themes, and coding responses' helped/hindered text to them."""
from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from impact.cards.models import ActionCard
from impact.coding import updates
from impact.coding.codes import coded_factors, replace_codes
from impact.coding.models import DEFAULT_THEMES, FactorTheme, ResponseCode, UpdateCode
from impact.coding.workbench import codes_of
from impact.evidence.derived import sync_coded_factors
from impact.extensions import db
from impact.followups.models import FollowUp, Response
from impact.projects.models import Project
from impact.text_filters import counted
from impact.toc.models import FactorDirection, InfluencingFactor


class CodebookError(ValueError):
    """A codebook change that cannot be made, with a message for the user."""


def themes_query(project: Project):
    return (
        select(FactorTheme).where(FactorTheme.project_id == project.id)
        .order_by(FactorTheme.position, FactorTheme.id)
        .options(selectinload(FactorTheme.factors))
    )


def code_counts(project: Project) -> dict[int, int]:
    return dict(db.session.execute(
        select(ResponseCode.theme_id, func.count()).join(FactorTheme)
        .where(FactorTheme.project_id == project.id).group_by(ResponseCode.theme_id)
    ).all())


def add_default_themes(project: Project) -> int:
    existing = set(db.session.scalars(select(FactorTheme.name).where(FactorTheme.project_id == project.id)))
    start = len(existing)
    added = 0
    for name, description in DEFAULT_THEMES:
        if name not in existing:
            db.session.add(FactorTheme(project_id=project.id, name=name, description=description,
                                       position=start + added))
            added += 1
    db.session.flush()
    return added


def name_taken(project: Project, name: str, theme: FactorTheme | None = None) -> bool:
    query = select(FactorTheme.id).where(FactorTheme.project_id == project.id,
                                         func.lower(FactorTheme.name) == name.lower())
    if theme is not None:
        query = query.where(FactorTheme.id != theme.id)
    return db.session.scalar(query) is not None


def save_theme(project: Project, theme: FactorTheme | None, *, name: str, description: str,
               factor_ids: list[int]) -> FactorTheme:
    if theme is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(FactorTheme.position) + 1, 0)).where(FactorTheme.project_id == project.id))
        theme = FactorTheme(project_id=project.id, position=position)
        db.session.add(theme)
    theme.name, theme.description = name, description
    theme.factors = list(db.session.scalars(
        select(InfluencingFactor).where(InfluencingFactor.project_id == project.id,
                                        InfluencingFactor.id.in_(factor_ids or [-1]))
    ))
    db.session.flush()
    # Responses already coded to this theme now evidence its new set of factors.
    for response in db.session.scalars(
        select(Response).join(ResponseCode).where(ResponseCode.theme_id == theme.id).distinct()
    ):
        _sync_factors(response)
    updates.resync_theme(theme)
    return theme


def delete_theme(theme: FactorTheme) -> None:
    in_use = db.session.scalar(select(func.count()).select_from(ResponseCode).where(ResponseCode.theme_id == theme.id))
    in_use += db.session.scalar(select(func.count()).select_from(UpdateCode).where(UpdateCode.theme_id == theme.id))
    if in_use:
        raise CodebookError(f"“{theme.name}” codes {counted(in_use, 'answer or update', 'answers or updates')}: "
                            "remove those codes first, so no coding is lost by accident.")
    db.session.delete(theme)
    db.session.flush()


def get_response_or_404(project: Project, response_id: int) -> Response:
    response = db.session.scalar(
        select(Response).join(FollowUp).join(ActionCard, ActionCard.id == FollowUp.card_id)
        .where(Response.id == response_id, ActionCard.project_id == project.id)
    )
    if response is None:
        abort(404)
    return response


def set_codes(project: Project, response: Response, chosen: set[tuple[int, FactorDirection]]) -> None:
    """Make the response's codes exactly ``chosen`` (theme id, direction) pairs of this project's themes."""
    replace_codes(project, ResponseCode, "response_id", response.id, chosen)
    _sync_factors(response)


def passage(response: Response, direction: FactorDirection) -> str:
    """The respondent's longest words on what helped (or hindered): what a code in that direction is about."""
    if direction is FactorDirection.HELPING:
        texts = [response.helped, *(answer.helped for answer in response.progress)]
    else:
        texts = [response.hindered, *(answer.hindered for answer in response.progress)]
    return max((text for text in texts if text), key=len, default="")


def _sync_factors(response: Response) -> None:
    """The response's evidence item evidences the factors its codes do, quoting its words in their direction."""
    if response.evidence_item is None:
        return
    sync_coded_factors(response.evidence_item, {
        factor_id: (note, passage(response, direction))
        for factor_id, (note, direction) in coded_factors(ResponseCode, "response_id", response.id).items()})


def unmatched_codes(codes: set[tuple[int, FactorDirection]], themes) -> list[tuple[str, FactorDirection]]:
    """Codes whose theme has no factor of their direction, so they evidence nothing on the chain yet."""
    by_id = {theme.id: theme for theme in themes}
    return [(by_id[theme_id].name, direction) for theme_id, direction in sorted(codes, key=lambda c: (c[0], c[1].value))
            if theme_id in by_id and not any(f.direction is direction for f in by_id[theme_id].factors)]


def coding_context(project: Project, response: Response) -> dict:
    themes = db.session.scalars(themes_query(project)).all()
    codes = codes_of([response])[response.id]
    return {"themes": themes, "codes": codes, "directions": list(FactorDirection),
            "unmatched_codes": unmatched_codes(codes, themes)}
