"""The project home's step 5 (seek out more evidence) for follow-ups: the response rate, what goes out next,
what went wrong in sending, and events whose cards nobody has followed up yet."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import exists, func, select

from impact.cards.models import ActionCard
from impact.charts.svg import bar_chart
from impact.events.models import Event
from impact.extensions import db
from impact.followups.models import Campaign, FollowUp
from impact.followups.services import LATE_AFTER
from impact.followups.tracking import project_tracking
from impact.local_time import format_local, local_date
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.model_types import utcnow
from impact.projects.dashboard import Chart, Line, Tone
from impact.projects.permissions import Need, may
from impact.text_filters import counted


def when(moment: dt.datetime, now: dt.datetime, zone) -> str:
    """A send time as a person says it, on the project's clock: "today at 09:00 GMT", "on 5 Dec 2026 at ..."."""
    days = (local_date(moment, zone) - local_date(now, zone)).days
    day = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days, f"on {format_local(moment, 'date', zone)}")
    return f"{day} at {format_local(moment, 'time', zone)}"


def _next_send(project_id: int, now: dt.datetime):
    """The next follow-up to go out: not sent, not closed, still open for answers (as flask jobs run sees it)."""
    return db.session.execute(
        select(Campaign.subject, Campaign.send_at, Event.title)
        .join(Event, Event.id == Campaign.event_id)
        .where(Campaign.project_id == project_id, Campaign.sent_at.is_(None), Campaign.closed_at.is_(None),
               Campaign.closes_at > now)
        .order_by(Campaign.send_at, Campaign.id).limit(1)).first()


def _troubles(project_id: int) -> tuple[int, int, int]:
    """(follow-up emails the outbox gave up on, follow-ups bounced, events with cards and no follow-up),
    in one query."""
    failed = exists().where(OutboxMessage.about_kind == "followup", OutboxMessage.about_id == FollowUp.id,
                            OutboxMessage.kind == "followup", OutboxMessage.status == OutboxStatus.FAILED)
    sends = (select(func.count(FollowUp.id).filter(failed).label("failed"),
                    func.count(FollowUp.bounced_at).label("bounced"))
             .join(Campaign, Campaign.id == FollowUp.campaign_id).where(Campaign.project_id == project_id)
             .subquery())
    not_followed_up = (select(func.count(Event.id)).where(
        Event.project_id == project_id, exists().where(ActionCard.event_id == Event.id),
        ~exists().where(Campaign.event_id == Event.id)).scalar_subquery())
    failed_count, bounced, waiting = db.session.execute(
        select(sends.c.failed, sends.c.bounced, not_followed_up)).one()
    return failed_count or 0, bounced or 0, waiting or 0


def dashboard(project, linked: bool) -> dict:
    if not linked:
        return {}
    may_edit = may(project, Need.EDIT)
    followups = url_for("followup_list.index", project_id=project.id) if may_edit else None
    tracking = project_tracking(project.id)
    total = tracking.total
    lines = []
    if total.cards:
        rate = f"; {total.respondents} of {total.sent} answered ({total.response_rate:.0%})" if total.sent else \
            "; no follow-up sent yet"
        lines.append(Line(5, f"{counted(total.cards, 'action card')} with {counted(tracking.actions, 'action')}{rate}.",
                          url_for("events.index", project_id=project.id), link_text="Events and action cards"))
    else:
        lines.append(Line(5, "No action cards yet: record an event and its attendees' cards.",
                          url_for("events.index", project_id=project.id), Tone.TODO))
    if not may_edit:  # what goes out, and what failed to, is the team's to see and act on
        return {"dashboard": lines, "dashboard_charts": _charts(tracking)}
    now = utcnow()
    upcoming = _next_send(project.id, now)
    if upcoming is not None:
        subject, send_at, event = upcoming
        due = when(send_at, now, project)
        if send_at <= now - LATE_AFTER:
            lines.append(Line(5, f"The follow-up “{subject}” ({event}) was due {due} and has not gone out: is the "
                                 "job runner (flask jobs run) running?", followups, Tone.ALERT))
        elif send_at <= now:
            lines.append(Line(5, f"Follow-up “{subject}” ({event}) was due {due}: it goes out at the job runner's "
                                 "next turn.", followups))
        else:
            lines.append(Line(5, f"Follow-up “{subject}” ({event}) is due {due}.", followups))
    failed, bounced, waiting = _troubles(project.id)
    if failed:
        lines.append(Line(5, f"{counted(failed, 'follow-up email')} could not be sent.", followups, Tone.ALERT))
    if bounced:
        lines.append(Line(5, f"{counted(bounced, 'follow-up')} bounced: the address may be wrong.", followups,
                          Tone.ALERT))
    if waiting:
        lines.append(Line(5, f"{counted(waiting, 'event')} with action cards {'has' if waiting == 1 else 'have'} no "
                             "follow-up planned.", url_for("events.index", project_id=project.id), Tone.TODO))
    return {"dashboard": lines, "dashboard_charts": _charts(tracking)}


def _charts(tracking) -> list[Chart]:
    charts = []
    total = tracking.total
    rows = [(group.label, figures.cards, figures.sent, figures.respondents,
             f"{figures.response_rate:.0%}" if figures.response_rate is not None else "none sent")
            for group, figures in tracking.by_group.items()]
    if total.sent:
        bars = [(group.label, round(100 * figures.response_rate)) for group, figures in tracking.by_group.items()
                if figures.response_rate is not None]
        charts.append(Chart("Response rate by partner group (%)", bar_chart("Response rate by partner group (%)", bars),
                            ("Partner group", "Cards", "Followed up", "Answered", "Response rate"), rows, 40))
    return charts
