"""Meetings on the record. Services flush; the route commits once.

The notes of a meeting, and each quote from it, are evidence items written from the meeting
(evidence.derived): the notes in the partner group whose words they mostly record, a quote in its
speaker's group, under its pseudonym and only with its own consent. A quote of a member of the project
is theirs: it is listed among their contributions and they can withdraw consent for it.
"""
from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from impact.evidence.derived import DerivedFrom, DerivedLink, refresh_derived_item
from impact.evidence.files import StoredFile, attach
from impact.evidence.models import EvidenceItem, EvidenceKind, Stance, Strength
from impact.evidence.signals import consent_withdrawn, item_derived_from
from impact.extensions import db
from impact.forms import FieldError
from impact.local_time import format_local
from impact.meetings.models import (
    Meeting,
    MeetingAttendance,
    MeetingKind,
    MeetingQuote,
    MeetingTheme,
    meeting_theme_factors,
    meeting_theme_steps,
)
from impact.model_types import utcnow
from impact.projects.models import Membership, Project
from impact.projects.permissions import Need, can
from impact.research.models import ResearchProject
from impact.toc.models import InfluencingFactor, Step
from impact.trash import set_aside, take_back

MEETING_FIELDS = ("kind", "title", "held_on", "place", "consent_to_record", "notes", "notes_voice")
QUOTE_FIELDS = ("heading", "words", "context", "pseudonym", "consent_to_quote")
# Notes of a discussion gather several people's accounts; one quote is one person's own account of change.
NOTES_LINK = DerivedLink(Stance.SUPPORTS, Strength.MODERATE, "From the meeting's notes")
QUOTE_LINK = DerivedLink(Stance.SUPPORTS, Strength.WEAK, "Said at the meeting")


class MeetingError(FieldError):
    """A meeting or quote that cannot be saved as it is, with a message for the field named."""


def may_send_recording(view_args: dict) -> bool:
    """Whether the request's user may edit the meetings of the URL's project (so may upload a recording)."""
    if not current_user.is_authenticated:
        return False
    project = db.session.get(Project, view_args.get("project_id", 0))
    return project is not None and can(current_user, project, Need.EDIT)


def meetings_query(project: Project):
    """The project's meetings, newest first (a select() to paginate)."""
    return (select(Meeting).where(Meeting.project_id == project.id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc()))


def meeting_figures(meeting_ids: list[int]) -> dict[int, dict[str, int]]:
    """People attending and live quotes per meeting, counted in SQL."""
    figures = {meeting_id: {"people": 0, "quotes": 0} for meeting_id in meeting_ids}
    if not meeting_ids:
        return figures
    for meeting_id, people in db.session.execute(
            select(MeetingAttendance.meeting_id, func.sum(MeetingAttendance.people))
            .where(MeetingAttendance.meeting_id.in_(meeting_ids)).group_by(MeetingAttendance.meeting_id)):
        figures[meeting_id]["people"] = int(people or 0)
    for meeting_id, quotes in db.session.execute(
            select(MeetingQuote.meeting_id, func.count())
            .join(EvidenceItem, EvidenceItem.id == MeetingQuote.evidence_item_id)
            .where(MeetingQuote.meeting_id.in_(meeting_ids), EvidenceItem.deleted_at.is_(None))
            .group_by(MeetingQuote.meeting_id)):
        figures[meeting_id]["quotes"] = quotes
    return figures


def load_meeting(meeting: Meeting) -> Meeting:
    """Everything the meeting's page shows, in a fixed number of queries."""
    db.session.scalars(select(Meeting).where(Meeting.id == meeting.id).options(
        selectinload(Meeting.steps),
        selectinload(Meeting.attendance).selectinload(MeetingAttendance.research_project),
        selectinload(Meeting.attendance).selectinload(MeetingAttendance.user),
        selectinload(Meeting.quotes).selectinload(MeetingQuote.steps),
        selectinload(Meeting.quotes).selectinload(MeetingQuote.evidence_item),
        selectinload(Meeting.quotes).selectinload(MeetingQuote.speaker),
        selectinload(Meeting.themes).selectinload(MeetingTheme.steps),
        selectinload(Meeting.themes).selectinload(MeetingTheme.factors),
    )).one()
    return meeting


def live_quotes(meeting: Meeting) -> list[MeetingQuote]:
    return [quote for quote in meeting.quotes if quote.evidence_item is None or quote.evidence_item.deleted_at is None]


def _steps_of(project_id: int, step_ids: list[int]) -> list[Step]:
    if not step_ids:
        return []
    return list(db.session.scalars(select(Step).where(Step.project_id == project_id, Step.id.in_(step_ids))))


# Meetings --------------------------------------------------------------------------------------

def save_meeting(project: Project, meeting: Meeting | None, values: dict, *, step_ids: list[int],
                 stored: StoredFile | None = None, remove_file: bool = False) -> Meeting:
    """Create (``meeting`` None) or change a meeting; its notes are evidence on its steps."""
    if meeting is None:
        meeting = Meeting(project_id=project.id)
        db.session.add(meeting)
    for name in MEETING_FIELDS:
        setattr(meeting, name, values[name])
    attach(meeting, stored, remove=remove_file)
    if meeting.file_sha256 and not meeting.consent_to_record:
        field = "recording" if stored is not None else "consent_to_record"
        raise MeetingError(field, "A recording or transcript is kept only of a meeting everyone present agreed "
                                  "to have recorded: tick the consent box, or remove the file.")
    meeting.steps = _steps_of(project.id, step_ids)
    db.session.flush()
    if meeting.notes:
        if meeting.notes_item is not None and meeting.notes_item.deleted_at is not None:
            take_back(meeting.notes_item)
        sync_notes_evidence(meeting)
    elif meeting.notes_item is not None and meeting.notes_item.deleted_at is None:
        set_aside(meeting.notes_item, None)  # no notes, no evidence: an empty item must not count for a step
    # Their titles and dates come from the meeting: each is written again, from rows loaded in one go.
    for quote in db.session.scalars(select(MeetingQuote).where(MeetingQuote.meeting_id == meeting.id).options(
            selectinload(MeetingQuote.evidence_item).selectinload(EvidenceItem.links),
            selectinload(MeetingQuote.steps), selectinload(MeetingQuote.speaker)).order_by(MeetingQuote.id)).all():
        sync_quote_evidence(quote)
    return meeting


def sync_notes_evidence(meeting: Meeting) -> EvidenceItem:
    return refresh_derived_item(meeting, "notes_item", project_id=meeting.project_id, kind=EvidenceKind.MEETING_RECORD,
                                fields={"title": f"{meeting.title}: notes", "evidence_date": meeting.held_on,
                                        "source": meeting.title, "partner_group": meeting.notes_voice,
                                        "summary": meeting.notes},
                                step_links={step.id: NOTES_LINK for step in meeting.steps})


# Who took part ---------------------------------------------------------------------------------

def research_choices(project: Project) -> list[tuple[int, str]]:
    return [(prp_id, title) for prp_id, title in db.session.execute(
        select(ResearchProject.id, ResearchProject.title).where(ResearchProject.project_id == project.id)
        .order_by(ResearchProject.title, ResearchProject.id))]


def add_attendance(project: Project, meeting: Meeting, values: dict) -> MeetingAttendance:
    """One row of who attended; its PRP and member must be the project's own (else left out)."""
    prp_id, user_id = values.get("research_project_id"), values.get("user_id")
    if prp_id is not None and db.session.scalar(select(ResearchProject.id).where(
            ResearchProject.id == prp_id, ResearchProject.project_id == project.id)) is None:
        prp_id = None
    if user_id is not None and db.session.scalar(select(Membership.id).where(
            Membership.user_id == user_id, Membership.project_id == project.id)) is None:
        user_id = None
    row = MeetingAttendance(meeting=meeting, name=values["name"], partner_group=values["partner_group"],
                            people=values["people"], research_project_id=prp_id, user_id=user_id)
    db.session.add(row)
    db.session.flush()
    return row


def remove_attendance(meeting: Meeting, row: MeetingAttendance) -> None:
    """Their quotes stay, under their own pseudonyms (and in their own partner group)."""
    meeting.attendance.remove(row)
    db.session.flush()


# Quotes ----------------------------------------------------------------------------------------

def save_quote(meeting: Meeting, quote: MeetingQuote | None, values: dict, *, step_ids: list[int]) -> MeetingQuote:
    speaker = next((row for row in meeting.attendance if row.id == values.get("speaker_id")), None)
    if values["consent_to_quote"] and quote is not None and quote.consent_withdrawn_at is not None:
        raise MeetingError("consent_to_quote", f"{quote.pseudonym or 'They'} withdrew consent to this quote on "
                                               f"{format_local(quote.consent_withdrawn_at, 'long_date')}: "
                                               "only they can give it again.")
    if not values["consent_to_quote"] and not values["context"]:
        raise MeetingError("context", "Without consent their words cannot be quoted: summarise what they said, "
                                      "so the evidence still says something.")
    if quote is None:
        quote = MeetingQuote(meeting=meeting)
        db.session.add(quote)
    for name in QUOTE_FIELDS:
        if values[name] is not None:  # the words of a withdrawn quote are not on the form: they stay as they are
            setattr(quote, name, values[name])
    quote.speaker = speaker
    quote.partner_group = speaker.partner_group if speaker else values["partner_group"]
    quote.steps = _steps_of(meeting.project_id, step_ids)
    db.session.flush()
    sync_quote_evidence(quote)
    return quote


def _heading(quote: MeetingQuote) -> str:
    # Never the words themselves: a title is kept in snapshots, where a withdrawn quote must not live on.
    if quote.heading:
        return quote.heading
    who = quote.pseudonym if quote.consent_to_quote and quote.pseudonym else quote.partner_group.label.lower()
    return f"a quote from {who}"


def sync_quote_evidence(quote: MeetingQuote) -> EvidenceItem:
    meeting = quote.meeting
    consented = quote.consent_to_quote
    return refresh_derived_item(quote, "evidence_item", project_id=meeting.project_id,
                                kind=EvidenceKind.MEETING_RECORD, fields={
                                    "title": f"{meeting.title}: {_heading(quote)}", "evidence_date": meeting.held_on,
                                    "source": meeting.title, "partner_group": quote.partner_group,
                                    "summary": quote.context or ("" if consented else "Not to be quoted."),
                                    "quote": quote.words if consented else "", "consent_to_quote": consented,
                                    "pseudonym": quote.pseudonym if consented else "",
                                    # The speaker's, to see and withdraw; kept if their attendance row goes.
                                    "created_by_id": quote.speaker.user_id if quote.speaker
                                    else (quote.evidence_item.created_by_id if quote.evidence_item else None),
                                }, step_links={step.id: QUOTE_LINK for step in quote.steps})


def remove_quote(quote: MeetingQuote, user) -> None:
    """Into the evidence trash with its item (links, citations and all); restore_quote() brings it back."""
    if quote.evidence_item is not None:
        set_aside(quote.evidence_item, user)


def restore_quote(quote: MeetingQuote) -> None:
    if quote.evidence_item is not None:
        take_back(quote.evidence_item)


# Themes ----------------------------------------------------------------------------------------

def factor_choices(project: Project) -> list[tuple[int, str]]:
    return [(factor_id, f"{title} ({step})") for factor_id, title, step in db.session.execute(
        select(InfluencingFactor.id, InfluencingFactor.title, Step.title)
        .join(Step, Step.id == InfluencingFactor.step_id)
        .where(InfluencingFactor.project_id == project.id).order_by(InfluencingFactor.title, InfluencingFactor.id))]


def save_theme(meeting: Meeting, theme: MeetingTheme | None, values: dict, *, step_ids: list[int],
               factor_ids: list[int]) -> MeetingTheme:
    if theme is None:
        theme = MeetingTheme(meeting=meeting)
        db.session.add(theme)
    theme.title, theme.description = values["title"], values["description"]
    theme.steps = _steps_of(meeting.project_id, step_ids)
    theme.factors = [] if not factor_ids else list(db.session.scalars(select(InfluencingFactor).where(
        InfluencingFactor.project_id == meeting.project_id, InfluencingFactor.id.in_(factor_ids))))
    db.session.flush()
    return theme


def remove_theme(meeting: Meeting, theme: MeetingTheme) -> None:
    meeting.themes.remove(theme)
    db.session.flush()


# What other parts hear or show -----------------------------------------------------------------

@item_derived_from.connect
def _written_by_meeting(item: EvidenceItem) -> DerivedFrom | None:
    """The notes and quotes of a meeting are kept on its page: the library sends the team there."""
    meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.notes_item_id == item.id))
    if meeting_id is None:
        meeting_id = db.session.scalar(select(MeetingQuote.meeting_id)
                                       .where(MeetingQuote.evidence_item_id == item.id))
    if meeting_id is None:
        return None
    return DerivedFrom(url_for("meetings.show", project_id=item.project_id, meeting_id=meeting_id),
                       what="the record of a meeting", whose="the team, on the meeting's page,")


@consent_withdrawn.connect
def _quote_consent_withdrawn(item: EvidenceItem) -> None:
    """The quote keeps no consent its speaker withdrew, or saving the meeting would quote them again."""
    for quote in db.session.scalars(select(MeetingQuote).where(MeetingQuote.evidence_item_id == item.id)):
        quote.consent_to_quote, quote.consent_withdrawn_at = False, utcnow()
        db.session.flush()
        sync_quote_evidence(quote)


def taking_part(project_id: int) -> dict:
    """For the Whose voice page: the people of each partner group at each meeting, by kind of meeting."""
    rows = db.session.execute(
        select(Meeting.id, Meeting.kind, Meeting.title, Meeting.held_on, MeetingAttendance.partner_group,
               func.sum(MeetingAttendance.people))
        .join(MeetingAttendance, MeetingAttendance.meeting_id == Meeting.id, isouter=True)
        .where(Meeting.project_id == project_id)
        .group_by(Meeting.id, Meeting.kind, Meeting.title, Meeting.held_on, MeetingAttendance.partner_group)
        .order_by(Meeting.held_on, Meeting.id)).all()
    gatherings: dict[int, dict] = {}
    for meeting_id, kind, title, held_on, group, people in rows:
        entry = gatherings.setdefault(meeting_id, {
            "level": {MeetingKind.GOVERNANCE: "Governance", MeetingKind.IMPACT: "Research and reflection"}.get(
                kind, "Other meetings"),
            "what": kind.label, "title": title, "date": held_on, "people": {},
            "url": url_for("meetings.show", project_id=project_id, meeting_id=meeting_id)})
        if group is not None:
            entry["people"][group] = int(people or 0)
    return {"taking_part": list(gatherings.values())}


def report_section(project: Project) -> dict:
    """report.json's ``meetings``: each meeting with who took part (by partner group), its quotes and themes."""
    meetings = list(db.session.scalars(meetings_query(project).options(
        selectinload(Meeting.attendance), selectinload(Meeting.themes))))
    figures = meeting_figures([meeting.id for meeting in meetings])
    entries = []
    for meeting in meetings:
        groups: dict[str, int] = {}
        for row in meeting.attendance:
            groups[row.partner_group.value] = groups.get(row.partner_group.value, 0) + row.people
        entries.append({"id": meeting.id, "kind": meeting.kind.value, "title": meeting.title,
                        "held_on": meeting.held_on.isoformat(), "attendance": groups,
                        "quotes": figures[meeting.id]["quotes"], "themes": [theme.title for theme in meeting.themes]})
    return {"meetings": entries}


def themes_panel(project_id: int, step_id: int, factor_ids: list[int]) -> dict:
    """For the step page: the themes meetings linked to the step or to its influencing factors."""
    on_factors = select(meeting_theme_factors.c.theme_id).where(meeting_theme_factors.c.factor_id.in_(factor_ids))
    on_step = select(meeting_theme_steps.c.theme_id).where(meeting_theme_steps.c.step_id == step_id)
    themes = db.session.execute(
        select(MeetingTheme, Meeting.title, Meeting.held_on).join(Meeting, Meeting.id == MeetingTheme.meeting_id)
        .where(Meeting.project_id == project_id, MeetingTheme.id.in_(on_step.union(on_factors)))
        .order_by(Meeting.held_on, MeetingTheme.id)).all()
    if not themes:
        return {}
    return {"panels": [Markup(render_template("meetings/_step_themes.html", project_id=project_id, themes=themes))]}
