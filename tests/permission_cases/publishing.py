"""Permission cases for published reports (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

from sqlalchemy import func, select

from impact.extensions import db as _db
from impact.projects.permissions import Need
from impact.publishing.models import PublishedReport
from impact.publishing.services import new_version
from impact.toc.models import TocRevision
from tests.permission_cases import LOGIN, Case, get, post

R = "/projects/{p}/reports"

CASES: list[Case] = [
    get("publishing.index", R + "/", Need.VIEW_REPORT),
    post("publishing.index", R + "/", Need.MANAGE, name="Final report to the funder"),
    get("publishing.show", R + "/{pub_number}", Need.VIEW_REPORT),
    get("publishing.pdf", R + "/{pub_number}.pdf", Need.VIEW_REPORT),
    get("publishing.docx", R + "/{pub_number}.docx", Need.VIEW_REPORT),
    get("portfolio.portfolio", "/portfolio", LOGIN),  # each sees their own projects' published versions
]


def furnish(project, step) -> None:
    """As many published versions as the project has chain revisions (the funders' report.json is the latest's).

    Versions are found by number: as with story snapshots, the cross-project test needs project B's
    latest number to be one project A lacks.
    """
    _db.session.flush()
    revisions = _db.session.scalar(select(func.count()).select_from(TocRevision)
                                   .where(TocRevision.project_id == project.id))
    for number in range(1, max(revisions, 1) + 1):
        new_version(project, f"Version {number}", None, number=number)


def world(project) -> dict[str, object]:
    return {"pub_number": _db.session.scalar(select(func.max(PublishedReport.number))
                                             .where(PublishedReport.project_id == project.id))}


def state(project) -> tuple:
    return (list(_db.session.execute(select(PublishedReport.number, PublishedReport.name)
                                     .where(PublishedReport.project_id == project.id)
                                     .order_by(PublishedReport.number))),)
