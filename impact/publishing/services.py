"""Publishing the report: a frozen version of the story and the report data, the only thing funders read.

Small numbers are suppressed in what is published: a count of people from 1 to 4 becomes "fewer
than 5", and a response rate is left out where its people or its non-respondents number 1 to 4, so
no one's response, or silence, can be inferred from a small group.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from impact.auth.models import User
from impact.extensions import db
from impact.page_cache import keep, kept
from impact.projects.models import Project
from impact.publishing.models import PublishedFactor, PublishedReport
from impact.reports.services import report_data
from impact.snapshots import next_number
from impact.story.compare import diff_stories
from impact.story.services import build_content, withhold_quotes

SMALL = 5
FEWER = "fewer than 5"
COUNTS = ("cards", "followups_sent", "respondents", "bounced", "opted_out")


def shown(count):
    """A count of people as a funder sees it."""
    return FEWER if isinstance(count, int) and 0 < count < SMALL else count


def _suppress_figures(figures: dict[str, Any]) -> None:
    sent, answered = figures.get("followups_sent") or 0, figures.get("respondents") or 0
    if "response_rate" in figures and any(0 < n < SMALL for n in (sent, answered, sent - answered)):
        figures["response_rate"] = None
    for key in COUNTS:
        if key in figures:
            figures[key] = shown(figures[key])


def for_funders(data: dict[str, Any]) -> dict[str, Any]:
    """The report data with its counts of people suppressed where small."""
    data = copy.deepcopy(data)
    cards = data.get("action_cards", {})
    _suppress_figures(cards)
    for figures in cards.get("by_partner_group", {}).values():
        _suppress_figures(figures)
    if "progress" in cards:
        cards["progress"] = {level: shown(count) for level, count in cards["progress"].items()}
    for meeting in data.get("meetings", []):
        meeting["attendance"] = {group: shown(people) for group, people in meeting.get("attendance", {}).items()}
    return data


def with_figures(report: PublishedReport) -> PublishedReport:
    """Copy the figures the portfolio sums out of the report's (funder-safe) data."""
    steps = report.data.get("steps", [])
    report.steps = len(steps)
    report.steps_with_evidence = sum(1 for step in steps if step.get("evidence_count"))
    for level in ("high", "medium", "low"):
        setattr(report, f"confidence_{level}", sum(1 for step in steps if step.get("confidence") == level))
    for level in ("good", "some", "low", "none"):
        setattr(report, f"progress_{level}", sum(1 for step in steps if step.get("progress") == level))
    rate = report.data.get("action_cards", {}).get("response_rate")
    report.response_rate = rate if isinstance(rate, (int, float)) else None
    report.factors = [PublishedFactor(title=factor["title"][:200], direction=factor["direction"],
                                      evidence_count=factor.get("evidence_count", 0))
                      for factor in report.data.get("factors", [])]
    return report


def published_query(project: Project):
    """The project's published versions, newest first, without their (large) contents."""
    return (select(PublishedReport).where(PublishedReport.project_id == project.id)
            .order_by(PublishedReport.number.desc())
            .options(defer(PublishedReport.story), defer(PublishedReport.data)))


def latest(project: Project) -> PublishedReport | None:
    return db.session.scalar(published_query(project).limit(1))


def new_version(project: Project, name: str, user, **columns) -> PublishedReport:
    """The story and the report data as they are now, frozen in a new version (added, not committed);
    ``columns`` can give its number or its date (the demo's)."""
    story, data = build_content(project), for_funders(report_data(project))
    report = PublishedReport(project_id=project.id, name=name, story=story, data=data,
                             published_by_id=getattr(user, "id", None), **columns)
    if report.number is None:
        report.number = next_number(PublishedReport, project.id)
    db.session.add(with_figures(report))
    return report


def publish(project: Project, name: str, user) -> PublishedReport | None:
    """Freeze and commit the story and the report data as they are now.

    Two leads publishing at the same moment may pick the same number: the unique constraint refuses
    the second, which is told so (None) rather than numbered twice.
    """
    report = new_version(project, name, user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return report


@dataclass
class ReportPage:
    """How a published version's page looks to this viewer, and the cache key naming all of it."""

    report_id: int
    key: str
    level: int | None  # the level shown with its evidence (None: all in brief)
    loaded: PublishedReport | None = None  # the whole version, once read (its story is large: read it once)

    def report(self) -> PublishedReport:
        if self.loaded is None:
            self.loaded = db.session.get(PublishedReport, self.report_id)
        return self.loaded


# The id of the project's version numbered by the URL and its publisher's name (None if there is no such
# version), as columns read with the project: needs(read_with=) reads both in the project's statement.
_OF_VERSION = (PublishedReport.project_id == Project.id) & (PublishedReport.number == bindparam("number"))
VERSION_COLUMNS = [select(PublishedReport.id).where(_OF_VERSION).scalar_subquery(),
                   select(User.name).join(PublishedReport, PublishedReport.published_by_id == User.id)
                   .where(_OF_VERSION).scalar_subquery()]


def report_page_or_404(project: Project, read: tuple[int | None, str | None], *, may_read: bool, full: bool,
                       level: int | None) -> ReportPage:
    """The page depends on: the version (frozen; ids are never reused); the project's quotes, which may be
    withdrawn after publishing (its quotes_changed count); its time zone; the publisher's name as it is now; what the
    viewer may read and asked for. ``read``: the version's id and publisher (VERSION_COLUMNS), read from an index
    alone, since a version's row holds its whole story."""
    report_id, publisher = read
    if report_id is None:
        abort(404)
    loaded = None
    if level is not None:  # only a level of this version makes a page of its own
        levels = kept(f"report-levels:{report_id}")
        if levels is None:
            loaded = db.session.get(PublishedReport, report_id)
            levels = [part["id"] for part in loaded.story.get("levels", [])]
            keep(f"report-levels:{report_id}", levels)
        level = level if level in levels else None
    else:
        level = None
    publisher = hashlib.sha256((publisher or "").encode()).hexdigest()[:12]
    # The project's time zone: the page's dates read on its clock.
    key = (f"report:{report_id}:{project.quotes_changed}:{project.time_zone}:{publisher}:{int(may_read)}:"
           f"{int(full)}:{level or 0}")
    return ReportPage(report_id, key, level, loaded)


def story_of(report: PublishedReport) -> dict[str, Any]:
    """The published story fit to show today: a quote whose consent was withdrawn since is left out."""
    content, = withhold_quotes(report.project_id, report.story)
    return content


def latest_data(project: Project) -> dict[str, Any]:
    """For report.json read by a funder: the latest published version's data (None before the first)."""
    report = latest(project)
    return {"report": report.data if report is not None else None}


def changes_since_last(project: Project):
    """What a new publication would change for funders, against the latest published version (None: none yet)."""
    last = latest(project)
    if last is None:
        return None, None
    return last, diff_stories(story_of(db.session.get(PublishedReport, last.id)), build_content(project))
