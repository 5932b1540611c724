"""A funder's portfolio: the latest published version of each of their projects, side by side, and what
helped or hindered across them. Read from the figures each publication copied into columns, so the
page sums in SQL and runs the same few queries for 5 projects or 500.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, and_, cast, exists, extract, func, select
from sqlalchemy.orm import defer, joinedload

from impact import change_counters
from impact.extensions import db
from impact.projects.models import PartnerOrganisation, Project
from impact.projects.permissions import visible_projects_query
from impact.publishing.models import PublishedFactor, PublishedReport

THEMES_SHOWN = 10


@dataclass(frozen=True)
class Filters:
    programme: str = ""
    year: int | None = None
    organisation: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        year = args.get("year", "")
        return cls(programme=args.get("programme", "").strip(),
                   year=int(year) if year.isascii() and year.isdigit() and len(year) == 4 else None,
                   organisation=args.get("organisation", "").strip())


def _visible(user):
    """The ids of the projects the user may open (a funder's, or every project for a site admin)."""
    return visible_projects_query(user).with_only_columns(Project.id).order_by(None)


def stamp() -> int:
    """Moves whenever a project, a membership, a partner organisation or a publication changes anywhere
    (impact/change_counters.py): a portfolio kept under it is never stale, and checking costs one row."""
    return change_counters.value("portfolio")


def _latest():
    return (select(PublishedReport.project_id, func.max(PublishedReport.number).label("number"))
            .group_by(PublishedReport.project_id).subquery())


def _filtered(user, filters: Filters):
    """(project, its latest published report) of the visible projects the filters keep."""
    latest = _latest()
    query = (select(Project, PublishedReport)
             .join(latest, latest.c.project_id == Project.id)
             .join(PublishedReport, and_(PublishedReport.project_id == Project.id,
                                         PublishedReport.number == latest.c.number))
             .where(Project.id.in_(_visible(user))))
    if filters.programme:
        query = query.where(Project.programme == filters.programme)
    if filters.year is not None:
        query = query.where(cast(extract("year", Project.start_date), Integer) == filters.year)
    if filters.organisation:
        query = query.where(exists().where(PartnerOrganisation.project_id == Project.id,
                                           PartnerOrganisation.name == filters.organisation))
    return query


def projects_query(user, filters: Filters):
    """A select() to paginate: each project with its latest published version (without its large JSON)."""
    return (_filtered(user, filters).with_only_columns(PublishedReport)
            .options(defer(PublishedReport.story), defer(PublishedReport.data), joinedload(PublishedReport.project))
            .order_by(Project.title, Project.id))


def totals(user, filters: Filters) -> dict:
    reports = _filtered(user, filters).with_only_columns(PublishedReport.id).subquery()
    row = db.session.execute(select(
        func.count(), func.coalesce(func.sum(PublishedReport.steps), 0),
        func.coalesce(func.sum(PublishedReport.steps_with_evidence), 0),
        func.coalesce(func.sum(PublishedReport.confidence_high), 0),
        func.coalesce(func.sum(PublishedReport.confidence_medium), 0),
        func.coalesce(func.sum(PublishedReport.confidence_low), 0),
        func.coalesce(func.sum(PublishedReport.progress_good), 0),
        func.coalesce(func.sum(PublishedReport.progress_some), 0),
        func.avg(PublishedReport.response_rate),
    ).where(PublishedReport.id.in_(select(reports.c.id)))).one()
    projects, steps, evidenced, high, medium, low, good, some, rate = row
    return {"projects": projects, "steps": steps, "evidenced": evidenced, "high": high, "medium": medium,
            "low": low, "good": good, "some": some, "response_rate": float(rate) if rate is not None else None}


def themes(user, filters: Filters) -> dict[str, list[tuple[str, int, int]]]:
    """Per direction, the factors most evidenced across the projects: (title, evidence items, projects)."""
    reports = _filtered(user, filters).with_only_columns(PublishedReport.id).subquery()
    found = {}
    for direction in ("helping", "hindering"):
        title, items = func.min(PublishedFactor.title), func.sum(PublishedFactor.evidence_count)
        found[direction] = [tuple(row) for row in db.session.execute(
            select(title, items, func.count(func.distinct(PublishedFactor.report_id)))
            .where(PublishedFactor.report_id.in_(select(reports.c.id)), PublishedFactor.direction == direction)
            .group_by(func.lower(PublishedFactor.title))
            .order_by(items.desc(), title).limit(THEMES_SHOWN))]
    return found


def filter_options(user) -> dict[str, list]:
    visible = _visible(user)
    published = select(PublishedReport.project_id)
    return {
        "programmes": list(db.session.scalars(select(Project.programme).distinct().where(
            Project.id.in_(visible), Project.id.in_(published), Project.programme != "").order_by(Project.programme))),
        "years": [int(year) for year in db.session.scalars(
            select(cast(extract("year", Project.start_date), Integer)).distinct()
            .where(Project.id.in_(visible), Project.id.in_(published), Project.start_date.is_not(None))
            .order_by(cast(extract("year", Project.start_date), Integer)))],
        "organisations": list(db.session.scalars(select(PartnerOrganisation.name).distinct().where(
            PartnerOrganisation.project_id.in_(visible), PartnerOrganisation.project_id.in_(published))
            .order_by(PartnerOrganisation.name))),
    }
