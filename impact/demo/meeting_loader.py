"""The demo's impact meeting as one record: its notes and quotes are the evidence items the data names.

Each quote's links carry the team's judgement from the data (as if the team had judged each one on
the item's page), so they stay as they are when the meeting is saved again.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from impact.auth.models import User
from impact.auth.services import find_user_by_email
from impact.demo import evidence_data as data
from impact.evidence.models import EvidenceItem, EvidenceLink, LinkOrigin, Stance, Strength
from impact.extensions import db
from impact.meetings.models import Meeting, MeetingAttendance, MeetingKind, MeetingQuote, MeetingTheme
from impact.meetings.services import sync_notes_evidence, sync_quote_evidence
from impact.projects.models import PartnerGroup, Project
from impact.research.models import ResearchProject


def is_meeting_item(spec: dict[str, Any]) -> bool:
    return spec.get("source") == data.IMPACT_MEETING


def _heading(spec: dict[str, Any]) -> str:
    heading = spec["title"].removeprefix("Impact meeting: ")
    return heading[:1].upper() + heading[1:]


def item_title(spec: dict[str, Any]) -> str:
    """The title the item of a meeting entry gets (as impact.meetings writes it)."""
    if spec["key"] == data.MEETING["notes_key"]:
        return f"{data.MEETING['title']}: notes"
    return f"{data.MEETING['title']}: {_heading(spec)}"


def _meeting(project: Project, targets) -> Meeting:
    spec = data.MEETING
    meeting = db.session.scalar(select(Meeting).where(Meeting.project_id == project.id, Meeting.title == spec["title"]))
    if meeting is not None:
        return meeting
    meeting = Meeting(project_id=project.id, kind=MeetingKind.IMPACT, title=spec["title"],
                      held_on=dt.date.fromisoformat(spec["date"]), place=spec["place"], consent_to_record=True,
                      notes_voice=PartnerGroup.PRACTITIONER)
    db.session.add(meeting)
    prps = {title: prp_id for title, prp_id in db.session.execute(
        select(ResearchProject.title, ResearchProject.id).where(ResearchProject.project_id == project.id))}
    for name, group, prp_title, email in spec["attendance"]:
        user = find_user_by_email(email) if email else None
        meeting.attendance.append(MeetingAttendance(name=name, partner_group=PartnerGroup(group),
                                                    research_project_id=prps.get(prp_title),
                                                    user_id=user.id if user else None))
    for title, description, step_keys, factor_titles in spec["themes"]:
        theme = MeetingTheme(title=title, description=description)
        theme.steps = [targets.steps[key] for key in step_keys if key in targets.steps]
        theme.factors = [targets.factors[name] for name in factor_titles if name in targets.factors]
        meeting.themes.append(theme)
    db.session.flush()
    return meeting


def _judged(item: EvidenceItem, targets, links: list[tuple], when: dt.datetime, author: User | None) -> None:
    """Set each link the data gives as the team's judgement: the derived step links take its stance and
    strength; links to links, assumptions and factors are added."""
    by_step = {link.step_id: link for link in item.links if link.step_id is not None}
    for kind, ref, stance, strength, note in links:
        target = targets.evidence_target(kind, ref)
        if target is None:
            continue
        link = by_step.get(target.get("step_id")) if kind == "step" else None
        if link is None:
            link = EvidenceLink(created_at=when, created_by_id=author.id if author else None, **target)
            item.links.append(link)
        link.stance, link.strength, link.note, link.origin = Stance(stance), Strength(strength), note, LinkOrigin.MANUAL


def load_meeting_item(project: Project, targets, lead: User | None, spec: dict[str, Any]) -> EvidenceItem:
    """The evidence item of one of the meeting's entries in the data: its notes, or one of its quotes."""
    meeting = _meeting(project, targets)
    when = dt.datetime.fromisoformat(spec["date"]).replace(hour=12, tzinfo=dt.UTC)
    steps = [targets.steps[ref] for kind, ref, *_ in spec["links"] if kind == "step" and ref in targets.steps]
    if spec["key"] == data.MEETING["notes_key"]:
        meeting.notes, meeting.steps = spec["summary"], steps
        db.session.flush()
        item = sync_notes_evidence(meeting)
        item.created_by_id = lead.id if lead else None
    else:
        pseudonym = spec.get("pseudonym", "")
        speaker_name = data.MEETING_SPEAKERS.get(spec["key"], pseudonym)
        speaker = next((row for row in meeting.attendance if row.name == speaker_name), None)
        # A quote kept from an earlier load (whose item the team deleted for good) is written again.
        quote = next((quote for quote in meeting.quotes if quote.words == spec["quote"]), None)
        if quote is None:
            quote = MeetingQuote(meeting=meeting, words=spec["quote"], created_at=when)
            db.session.add(quote)
        quote.heading, quote.context, quote.pseudonym = _heading(spec), spec["summary"], pseudonym
        quote.consent_to_quote, quote.speaker = spec.get("consent", False), speaker
        quote.partner_group, quote.steps = PartnerGroup(spec["group"]), steps
        db.session.flush()
        item = sync_quote_evidence(quote)
    item.created_at = when
    _judged(item, targets, spec["links"], when, lead)
    db.session.flush()
    return item


def load_governance_meetings(project: Project) -> None:
    """The steering group's meetings, with who took part by partner group (unless already there)."""
    for spec in data.GOVERNANCE_MEETINGS:
        held_on = dt.date.fromisoformat(spec["date"])
        if db.session.scalar(select(Meeting.id).where(Meeting.project_id == project.id, Meeting.title == spec["title"],
                                                      Meeting.held_on == held_on)) is not None:
            continue
        meeting = Meeting(project_id=project.id, kind=MeetingKind.GOVERNANCE, title=spec["title"], held_on=held_on,
                          place=spec["place"], notes=spec["notes"], notes_voice=PartnerGroup.ACADEMIC)
        meeting.attendance = [MeetingAttendance(partner_group=PartnerGroup(group), people=people)
                              for group, people in spec["attendance"]]
        db.session.add(meeting)
    db.session.flush()
