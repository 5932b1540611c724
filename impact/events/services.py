"""Events and their attendance."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from impact.events.models import Event, EventAttendance, EventKind
from impact.extensions import db
from impact.projects.models import PartnerGroup, Project


def events_query(project: Project):
    return (
        select(Event)
        .where(Event.project_id == project.id)
        .order_by(Event.event_date.desc(), Event.id.desc())
        .options(selectinload(Event.attendance))
    )


def save_event(project: Project, event: Event | None, *, kind: EventKind, title: str, event_date: dt.date,
               place: str, notes: str, attendance: dict[PartnerGroup, int]) -> Event:
    if event is None:
        event = Event(project_id=project.id)
        db.session.add(event)
    event.kind, event.title, event.event_date, event.place, event.notes = kind, title, event_date, place, notes
    rows = {row.partner_group: row for row in event.attendance}
    for group, count in attendance.items():
        if count:
            if group in rows:
                rows[group].attendees = count
            else:
                event.attendance.append(EventAttendance(partner_group=group, attendees=count))
        elif group in rows:
            event.attendance.remove(rows[group])
    db.session.flush()
    return event


def set_card_form_open(event: Event, is_open: bool) -> None:
    event.card_form_open = is_open
    db.session.flush()


def taking_part(project_id: int) -> dict:
    """For the Whose voice page: the people of each partner group at each event (the project's activities)."""
    rows = db.session.execute(
        select(Event.id, Event.kind, Event.title, Event.event_date, EventAttendance.partner_group,
               EventAttendance.attendees)
        .join(EventAttendance, EventAttendance.event_id == Event.id, isouter=True)
        .where(Event.project_id == project_id).order_by(Event.event_date, Event.id)).all()
    gatherings: dict[int, dict] = {}
    for event_id, kind, title, held_on, group, people in rows:
        entry = gatherings.setdefault(event_id, {
            "level": "Activities", "what": kind.label, "title": title, "date": held_on, "people": {},
            "url": url_for("events.show", project_id=project_id, event_id=event_id)})
        if group is not None:
            entry["people"][group] = people
    return {"taking_part": list(gatherings.values())}
