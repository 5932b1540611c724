"""Permission cases for the gaps page and the contribution story (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

from sqlalchemy import func, select

from impact.extensions import db as _db
from impact.projects.permissions import Need
from impact.story.models import Story, StorySnapshot
from impact.story.services import save_snapshot
from impact.toc.models import TocRevision
from tests.permission_cases import Case, get, post

S = "/projects/{p}/story"

CASES: list[Case] = [
    get("story.show", S + "/", Need.READ),
    get("story.gaps", S + "/gaps", Need.READ),
    get("story.edit_conclusion", S + "/conclusion", Need.EDIT),
    post("story.edit_conclusion", S + "/conclusion", Need.EDIT, conclusion="A plausible contribution.",
         version="{st_story_version}"),
    get("story.snapshots", S + "/snapshots", Need.READ),
    post("story.snapshots", S + "/snapshots", Need.EDIT, name="For the funder"),
    get("story.snapshot", S + "/snapshots/{st_snapshot}", Need.READ),
    get("story.compare", S + "/compare?old={st_snapshot}&new=current", Need.READ),
]


def furnish(project, step) -> None:
    """A conclusion, and as many snapshots as the project has chain revisions.

    Snapshots are found by number, so the cross-project test needs project B's latest number
    to be one project A lacks; it already gives B more chain revisions than A for the same reason.
    """
    _db.session.add(Story(project_id=project.id, conclusion="First draft"))
    revisions = _db.session.scalar(select(func.count()).select_from(TocRevision)
                                   .where(TocRevision.project_id == project.id))
    for number in range(max(revisions, 1)):
        save_snapshot(project, f"Snapshot {number + 1}", None)


def world(project) -> dict[str, object]:
    story = _db.session.get(Story, project.id)
    return {
        "st_story_version": story.version if story else 0,
        "st_snapshot": _db.session.scalar(select(func.max(StorySnapshot.number))
                                          .where(StorySnapshot.project_id == project.id)),
    }


def state(project) -> tuple:
    story = _db.session.get(Story, project.id)
    return (
        (story.conclusion, story.version) if story else None,
        list(_db.session.execute(select(StorySnapshot.number, StorySnapshot.name)
                                 .where(StorySnapshot.project_id == project.id).order_by(StorySnapshot.number))),
    )
