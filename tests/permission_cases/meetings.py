"""Permission cases for meetings (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from impact.evidence import files
from impact.extensions import db as _db
from impact.meetings.models import Meeting, MeetingAttendance, MeetingQuote, MeetingTheme
from impact.meetings.services import sync_quote_evidence
from impact.projects.models import PartnerGroup
from impact.projects.permissions import Need
from tests.permission_cases import Case, get, post

M = "/projects/{p}/meetings"
ONE = M + "/{mt_meeting}"

CASES: list[Case] = [
    get("meetings.index", M + "/", Need.READ),
    get("meetings.new", M + "/new", Need.EDIT),
    post("meetings.new", M + "/new", Need.EDIT, title="Steering group", kind="governance", held_on="2011-03-01",
         notes_voice="academic"),
    get("meetings.show", ONE, Need.READ),
    get("meetings.edit", ONE + "/edit", Need.EDIT),
    post("meetings.edit", ONE + "/edit", Need.EDIT, title="Impact meeting, renamed", kind="impact",
         held_on="2011-06-17", notes_voice="practitioner", consent_to_record="y", version="{mt_meeting_version}"),
    # The recording is the team's: the people recorded agreed to the research, not to every member hearing it.
    get("meetings.recording", ONE + "/recording", Need.EDIT),
    post("meetings.add_attendance", ONE + "/attendance", Need.EDIT, name="Practitioner 9",
         partner_group="practitioner", people="1"),
    post("meetings.remove_attendance", ONE + "/attendance/{mt_attendance}/remove", Need.EDIT),
    get("meetings.new_quote", ONE + "/quotes/new", Need.EDIT),
    post("meetings.new_quote", ONE + "/quotes/new", Need.EDIT, words="It made me think again.",
         consent_to_quote="y", pseudonym="Practitioner 9", partner_group="practitioner"),
    get("meetings.edit_quote", ONE + "/quotes/{mt_quote}", Need.EDIT),
    post("meetings.edit_quote", ONE + "/quotes/{mt_quote}", Need.EDIT, words="Changed words.",
         consent_to_quote="y", pseudonym="Practitioner 8", partner_group="practitioner",
         version="{mt_quote_version}"),
    get("meetings.remove_quote", ONE + "/quotes/{mt_quote}/remove", Need.EDIT),
    post("meetings.remove_quote", ONE + "/quotes/{mt_quote}/remove", Need.EDIT),
    post("meetings.restore_quote", ONE + "/quotes/{mt_removed_quote}/restore", Need.EDIT),
    get("meetings.new_theme", ONE + "/themes/new", Need.EDIT),
    post("meetings.new_theme", ONE + "/themes/new", Need.EDIT, title="Creating a dialogue"),
    get("meetings.edit_theme", ONE + "/themes/{mt_theme}", Need.EDIT),
    post("meetings.edit_theme", ONE + "/themes/{mt_theme}", Need.EDIT, title="Renamed theme",
         version="{mt_theme_version}"),
    post("meetings.remove_theme", ONE + "/themes/{mt_theme}/remove", Need.EDIT),
]


def furnish(project, step) -> None:
    """A recorded impact meeting with one attendee, a quote on the step, a removed quote and a theme."""
    transcript = b"Transcript.\n"
    sha256 = hashlib.sha256(transcript).hexdigest()
    files.path_for(sha256).parent.mkdir(parents=True, exist_ok=True)
    files.path_for(sha256).write_bytes(transcript)
    meeting = Meeting(project_id=project.id, title="Impact meeting", held_on=dt.date(2011, 6, 17),
                      consent_to_record=True, notes="Five practitioners.", file_name="meeting.txt",
                      file_sha256=sha256, file_size=len(transcript), file_type="text/plain")
    meeting.steps = [step]
    _db.session.add(meeting)
    _db.session.flush()
    speaker = MeetingAttendance(meeting_id=meeting.id, name="Practitioner 1", partner_group=PartnerGroup.PRACTITIONER)
    _db.session.add(speaker)
    for words in ("It's created a dialogue.", "Removed words."):
        quote = MeetingQuote(meeting=meeting, words=words, pseudonym="Practitioner 1", consent_to_quote=True,
                             speaker=speaker, partner_group=PartnerGroup.PRACTITIONER)
        quote.steps = [step]
        _db.session.add(quote)
        _db.session.flush()
        sync_quote_evidence(quote)
    quote.evidence_item.deleted_at = dt.datetime(2011, 7, 1, tzinfo=dt.UTC)
    _db.session.add(MeetingTheme(meeting_id=meeting.id, title="Changes to personal practice"))


def world(project) -> dict[str, object]:
    meeting = _db.session.scalar(select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.id))
    quotes = list(_db.session.scalars(select(MeetingQuote).where(MeetingQuote.meeting_id == meeting.id)
                                      .order_by(MeetingQuote.id)))
    theme = _db.session.scalar(select(MeetingTheme).where(MeetingTheme.meeting_id == meeting.id))
    attendance = _db.session.scalar(select(MeetingAttendance.id).where(MeetingAttendance.meeting_id == meeting.id))
    return {"mt_meeting": meeting.id, "mt_meeting_version": meeting.version, "mt_quote": quotes[0].id,
            "mt_quote_version": quotes[0].version, "mt_removed_quote": quotes[1].id, "mt_theme": theme.id,
            "mt_theme_version": theme.version, "mt_attendance": attendance}


def state(project) -> tuple:
    meetings = select(Meeting.id).where(Meeting.project_id == project.id)
    return (
        list(_db.session.execute(select(Meeting.title, Meeting.version).where(Meeting.project_id == project.id)
                                 .order_by(Meeting.id))),
        list(_db.session.execute(select(MeetingAttendance.name).where(MeetingAttendance.meeting_id.in_(meetings))
                                 .order_by(MeetingAttendance.id))),
        list(_db.session.execute(select(MeetingQuote.words, MeetingQuote.pseudonym, MeetingQuote.version)
                                 .where(MeetingQuote.meeting_id.in_(meetings)).order_by(MeetingQuote.id))),
        list(_db.session.execute(select(MeetingTheme.title, MeetingTheme.version)
                                 .where(MeetingTheme.meeting_id.in_(meetings)).order_by(MeetingTheme.id))),
    )
