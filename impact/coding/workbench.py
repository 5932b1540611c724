"""The coding workbench: the queue of answers not yet coded, and every passage coded to a theme, helping
and hindering apart. Each read is a select() the page paginates, or one aggregate."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from impact.cards.models import ActionCard
from impact.coding.models import FactorTheme, ResponseCode
from impact.extensions import db
from impact.followups.models import ActionProgress, Campaign, FollowUp, Response
from impact.projects.models import Project
from impact.toc.models import FactorDirection


def _in_project(project: Project):
    return exists().where(FollowUp.id == Response.followup_id, ActionCard.id == FollowUp.card_id,
                          ActionCard.project_id == project.id)


def _has_words():
    """An answer with something to code: what helped or hindered, overall or for one of its actions."""
    return or_(Response.helped != "", Response.hindered != "",
               exists().where(ActionProgress.response_id == Response.id,
                              or_(ActionProgress.helped != "", ActionProgress.hindered != "")))


def _uncoded():
    return ~exists().where(ResponseCode.response_id == Response.id)


def queue_query(project: Project):
    """Answers with words on what helped or hindered and no code yet, oldest first (first come, first coded)."""
    return (
        select(Response).where(_in_project(project), _has_words(), _uncoded())
        .order_by(Response.submitted_at, Response.id)
        .options(joinedload(Response.followup).joinedload(FollowUp.card),
                 joinedload(Response.followup).joinedload(FollowUp.campaign).joinedload(Campaign.event),
                 selectinload(Response.progress).joinedload(ActionProgress.action))
    )


def queue_counts(project: Project) -> tuple[int, int]:
    """(answers waiting to be coded, answers coded), one query."""
    coded = exists().where(ResponseCode.response_id == Response.id)
    waiting, done = db.session.execute(
        select(func.count(Response.id).filter(_has_words(), ~coded), func.count(Response.id).filter(coded))
        .where(_in_project(project))).one()
    return waiting, done


def theme_counts(project: Project) -> dict[int, dict[FactorDirection, int]]:
    """{theme id: {direction: answers coded so}}, one aggregate query."""
    counts: dict[int, dict[FactorDirection, int]] = {}
    for theme_id, direction, count in db.session.execute(
        select(ResponseCode.theme_id, ResponseCode.direction, func.count()).join(FactorTheme)
        .where(FactorTheme.project_id == project.id).group_by(ResponseCode.theme_id, ResponseCode.direction)
    ):
        counts.setdefault(theme_id, {})[FactorDirection(direction)] = count
    return counts


def coded_query(theme: FactorTheme, direction: FactorDirection):
    """The codes of one theme in one direction, newest answer first, with what the page shows of each."""
    return (
        select(ResponseCode).join(Response, Response.id == ResponseCode.response_id)
        .where(ResponseCode.theme_id == theme.id, ResponseCode.direction == direction)
        .order_by(Response.submitted_at.desc(), ResponseCode.id.desc())
        .options(joinedload(ResponseCode.response).joinedload(Response.followup).joinedload(FollowUp.card),
                 joinedload(ResponseCode.response).selectinload(Response.progress))
    )


def codes_of(responses: list[Response]) -> dict[int, set[tuple[int, FactorDirection]]]:
    """The codes of a page of answers, one query."""
    codes: dict[int, set[tuple[int, FactorDirection]]] = {response.id: set() for response in responses}
    if responses:
        for code in db.session.scalars(select(ResponseCode).where(ResponseCode.response_id.in_(list(codes)))):
            codes[code.response_id].add((code.theme_id, code.direction))
    return codes


def passages(response: Response, direction: FactorDirection) -> list[tuple[str, str]]:
    """The respondent's words in one direction: (what they are about, the words), overall first."""
    overall = response.helped if direction is FactorDirection.HELPING else response.hindered
    found = [("Overall", overall)] if overall else []
    for index, answer in enumerate(response.progress, start=1):
        words = answer.helped if direction is FactorDirection.HELPING else answer.hindered
        if words:
            found.append((f"Action {index}", words))
    return found
