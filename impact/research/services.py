"""Practitioner research projects and their updates. Services flush; the route commits once.

A submitted update is evidence: an item of the library written from the update (evidence.derived), in
the author's partner group, linked to the steps the update is about with the stance the author's
account supports. A draft is its author's alone, until they submit it.
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import selectinload

from impact.auth.models import User
from impact.evidence.derived import DerivedFrom, DerivedLink, refresh_derived_item
from impact.evidence.files import StoredFile, attach
from impact.evidence.models import EvidenceItem, EvidenceKind, Stance, Strength
from impact.evidence.signals import consent_withdrawn, item_derived_from
from impact.extensions import db
from impact.forms import FieldError
from impact.local_time import local_date
from impact.model_types import utcnow
from impact.projects.models import Membership, PartnerGroup, Project
from impact.projects.services import member_voice
from impact.research.models import ResearchOutput, ResearchProject, ResearchStatus, ResearchUpdate, UpdateStatus
from impact.toc.models import Step

PRP_FIELDS = ("title", "local_authority", "status", "started_on", "ended_on", "aims", "milestones", "outputs",
              "reminder_weeks", "submit_emailed_replies")
UPDATE_FIELDS = ("update_date", "what_did", "what_changed", "changed_practice", "changed_team", "changed_families",
                 "who_involved", "quote", "consent_to_quote", "pseudonym")
# A person's own words and their consent to be quoted: only they set them, never the team editing their update.
AUTHORS_OWN = ("quote", "consent_to_quote", "pseudonym")


# A practitioner's own account of change supports the steps it is about, weakly on its own (self-report).
SELF_REPORT = DerivedLink(Stance.SUPPORTS, Strength.WEAK, "Practitioner update")


class UpdateError(FieldError):
    """An update that cannot be submitted as it is, with a message for the field named."""


# Research projects -----------------------------------------------------------------------------

def research_projects_query(project: Project):
    """The project's PRPs, active first, then by title (a select() to paginate)."""
    # Active ones first: those are the ones the team is working with now.
    order = case({status.value: rank for rank, status in enumerate(
        (ResearchStatus.ACTIVE, ResearchStatus.PROPOSED, ResearchStatus.COMPLETED))},
        value=cast(ResearchProject.status, String), else_=3)
    return (select(ResearchProject).where(ResearchProject.project_id == project.id)
            .order_by(order, ResearchProject.title, ResearchProject.id)
            .options(selectinload(ResearchProject.leads), selectinload(ResearchProject.steps)))


def update_counts(project: Project) -> dict[int, int]:
    """Submitted updates per PRP of the project."""
    return dict(db.session.execute(
        select(ResearchUpdate.research_project_id, func.count())
        .join(ResearchProject).where(ResearchProject.project_id == project.id,
                                     ResearchUpdate.status == UpdateStatus.SUBMITTED)
        .group_by(ResearchUpdate.research_project_id)).all())


def members_choices(project: Project) -> list[tuple[int, str]]:
    return [(user_id, name) for user_id, name in db.session.execute(
        select(User.id, User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id).order_by(User.name, User.id))]


def _steps_of(project: Project, step_ids: list[int]) -> list[Step]:
    if not step_ids:
        return []
    return list(db.session.scalars(select(Step).where(Step.project_id == project.id, Step.id.in_(step_ids))))


def _members(project: Project, user_ids: list[int]):
    if not user_ids:
        return []
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                   .where(Membership.project_id == project.id, User.id.in_(user_ids))))


def save_research_project(project: Project, prp: ResearchProject | None, values: dict, *, step_ids: list[int],
                          lead_ids: list[int], mentor_id: int | None, report: StoredFile | None = None
                          ) -> ResearchProject:
    """Create (``prp`` None) or change a PRP; steps, leads and mentor must be the project's own. Its report
    (a new file, or the one it has) is evidence on its steps, kept in step with the PRP."""
    if prp is None:
        prp = ResearchProject(project_id=project.id)
        db.session.add(prp)
    for name in PRP_FIELDS:
        setattr(prp, name, values[name])
    prp.steps = _steps_of(project, step_ids)
    prp.leads = _members(project, lead_ids)
    mentors = _members(project, [mentor_id] if mentor_id else [])
    prp.mentor_id = mentors[0].id if mentors else None
    db.session.flush()
    if report is not None or prp.report_item is not None:
        sync_report_evidence(prp, report)
    for output in prp.output_files:  # their steps and source follow the PRP's
        sync_output_evidence(output)
    return prp


# A PRP's report is the practitioners' study itself: moderate evidence for the steps it bears on.
REPORT_LINK = DerivedLink(Stance.SUPPORTS, Strength.MODERATE, "Practitioner research project report")
OUTPUT_LINK = DerivedLink(Stance.SUPPORTS, Strength.WEAK, "An output of a practitioner research project")


def sync_report_evidence(prp: ResearchProject, report: StoredFile | None) -> EvidenceItem:
    """Create or refresh the document item the PRP's report is (with a new file when ``report`` is given)."""
    fields = {"title": f"PRP report: {prp.title}", "source": f"Practitioner research project, {prp.local_authority}"
              if prp.local_authority else "Practitioner research project",
              "evidence_date": prp.ended_on or local_date(utcnow(), db.session.get(Project, prp.project_id)),
              "partner_group": PartnerGroup.PRACTITIONER,
              "summary": prp.outputs or prp.aims}
    if report is not None:
        fields.update(report.columns())
    return refresh_derived_item(prp, "report_item", project_id=prp.project_id, kind=EvidenceKind.DOCUMENT,
                                fields=fields, step_links={step.id: REPORT_LINK for step in prp.steps})


def add_output(prp: ResearchProject, title: str, stored: StoredFile) -> ResearchOutput:
    output = ResearchOutput(research_project=prp, title=title)
    db.session.add(output)
    db.session.flush()
    sync_output_evidence(output, stored)
    return output


def sync_output_evidence(output: ResearchOutput, stored: StoredFile | None = None) -> EvidenceItem:
    prp = output.research_project
    fields = {"title": f"{output.title} ({prp.title})", "partner_group": PartnerGroup.PRACTITIONER,
              "source": f"Practitioner research project: {prp.title}",
              "evidence_date": (output.created_at or utcnow()).date()}
    if stored is not None:
        fields.update(stored.columns())
    return refresh_derived_item(output, "evidence_item", project_id=prp.project_id, kind=EvidenceKind.DOCUMENT,
                                fields=fields, step_links={step.id: OUTPUT_LINK for step in prp.steps})


def live_outputs(prp: ResearchProject) -> tuple[list[ResearchOutput], list[ResearchOutput]]:
    """The PRP's output files, and those removed (their items in the evidence trash)."""
    outputs = list(db.session.scalars(select(ResearchOutput).where(ResearchOutput.research_project_id == prp.id)
                                      .order_by(ResearchOutput.id).options(selectinload(ResearchOutput.evidence_item))))
    live = [output for output in outputs if output.evidence_item and output.evidence_item.deleted_at is None]
    return live, [output for output in outputs if output not in live]


# Updates ---------------------------------------------------------------------------------------

def may_change_update(update: ResearchUpdate, user, *, team: bool) -> bool:
    """The author changes their own update (draft or not); the team changes submitted ones."""
    if update.author_id is not None and update.author_id == getattr(user, "id", None):
        return True
    return team and update.status is UpdateStatus.SUBMITTED


def save_update(project: Project, prp: ResearchProject, update: ResearchUpdate | None, values: dict, *,
                step_ids: list[int], author, stored: StoredFile | None = None, remove_file: bool = False,
                submit: bool, by_email: bool = False) -> ResearchUpdate:
    """Keep the update as a draft, or submit it: then it is (or its evidence item is refreshed as) evidence."""
    if update is None:
        update = ResearchUpdate(research_project=prp, author_id=getattr(author, "id", None),
                                partner_group=member_voice(project, author), status=UpdateStatus.DRAFT,
                                sent_by_email=by_email)
        db.session.add(update)
    as_author = update.author_id is not None and update.author_id == getattr(author, "id", None)
    for name in UPDATE_FIELDS:
        if as_author or name not in AUTHORS_OWN:
            setattr(update, name, values[name])
    attach(update, stored, remove=remove_file)
    update.steps = _steps_of(project, step_ids)
    if submit:
        if not update.what_did and not update.what_changed:
            raise UpdateError("what_did", "Say what you did or what changed before you submit the update.")
        if update.status is UpdateStatus.DRAFT:
            update.status, update.submitted_at = UpdateStatus.SUBMITTED, utcnow()
    db.session.flush()
    if update.status is UpdateStatus.SUBMITTED:
        sync_update_evidence(update)
    return update


def _summary(update: ResearchUpdate) -> str:
    parts = [text for text in (
        f"What they did: {update.what_did}" if update.what_did else "",
        f"What changed: {update.what_changed}" if update.what_changed else "",
        f"Changed for: {', '.join(update.changes)}" if update.changes else "",
        f"Who was involved: {update.who_involved}" if update.who_involved else "",
    ) if text]
    return "\n\n".join(parts)


def sync_update_evidence(update: ResearchUpdate) -> EvidenceItem:
    """Create or refresh the evidence item a submitted update is, with its links to the update's steps.

    A practitioner's own account of change supports the steps it is about, weakly on its own
    (self-report); the team can judge each link, and their judgement is kept on later edits.
    """
    prp = update.research_project
    who = update.pseudonym if update.consent_to_quote and update.pseudonym else update.partner_group.label.lower()
    return refresh_derived_item(update, "evidence_item", project_id=prp.project_id,
                                kind=EvidenceKind.PRACTITIONER_UPDATE, fields={
                                    "title": f"Update ({who}): {prp.title}",
                                    "evidence_date": update.update_date,
                                    "source": f"Practitioner research project: {prp.title}",
                                    "partner_group": update.partner_group,
                                    "consent_to_quote": update.consent_to_quote,
                                    "pseudonym": update.pseudonym if update.consent_to_quote else "",
                                    "summary": _summary(update),
                                    "quote": update.quote if update.consent_to_quote else "",
                                    "file_name": update.file_name, "file_sha256": update.file_sha256,
                                    "file_size": update.file_size, "file_type": update.file_type,
                                    # Theirs: it is listed among their contributions, and theirs to withdraw.
                                    "created_by_id": update.author_id,
                                }, step_links={step.id: SELF_REPORT for step in update.steps})


def updates_query(prp: ResearchProject, viewer):
    """The PRP's submitted updates, and the viewer's own drafts, newest first (a select() to paginate)."""
    mine = ResearchUpdate.author_id == getattr(viewer, "id", -1)
    return (select(ResearchUpdate)
            .where(ResearchUpdate.research_project_id == prp.id,
                   (ResearchUpdate.status == UpdateStatus.SUBMITTED) | mine)
            .order_by(ResearchUpdate.update_date.desc(), ResearchUpdate.id.desc())
            .options(selectinload(ResearchUpdate.author), selectinload(ResearchUpdate.steps)))


@item_derived_from.connect
def _written_by_prp(item: EvidenceItem) -> DerivedFrom | None:
    """A PRP's report item is kept from the PRP: the library sends the team to the PRP's edit page."""
    prp_id = db.session.scalar(select(ResearchProject.id).where(ResearchProject.report_item_id == item.id))
    if prp_id is None:
        return None
    return DerivedFrom(url_for("research.edit", project_id=item.project_id, prp_id=prp_id),
                       what="a practitioner research project's report", whose="the project team")


@item_derived_from.connect
def _written_by_output(item: EvidenceItem) -> DerivedFrom | None:
    prp_id = db.session.scalar(select(ResearchOutput.research_project_id)
                               .where(ResearchOutput.evidence_item_id == item.id))
    if prp_id is None:
        return None
    return DerivedFrom(url_for("research.show", project_id=item.project_id, prp_id=prp_id, _anchor="outputs"),
                       what="a practitioner research project's output", whose="the project team")


@item_derived_from.connect
def _written_by_update(item: EvidenceItem) -> DerivedFrom | None:
    """An item an update writes is the practitioner's: the library sends the team to the update."""
    row = db.session.execute(
        select(ResearchUpdate.id, ResearchUpdate.research_project_id).where(ResearchUpdate.evidence_item_id == item.id)
    ).first()
    if row is None:
        return None
    return DerivedFrom(url_for("research.edit_update", project_id=item.project_id, prp_id=row.research_project_id,
                               update_id=row.id), what="a practitioner's update", whose="the practitioner")


def report_section(project: Project) -> dict:
    """report.json's ``prps``: each PRP with its status, local authority and number of submitted updates."""
    counts = update_counts(project)
    return {"prps": [{"id": prp.id, "title": prp.title, "status": prp.status.value,
                      "local_authority": prp.local_authority, "updates": counts.get(prp.id, 0)}
                     for prp in db.session.scalars(select(ResearchProject).where(
                         ResearchProject.project_id == project.id).order_by(ResearchProject.id))]}


@consent_withdrawn.connect
def _update_consent_withdrawn(item: EvidenceItem) -> None:
    """The update keeps no consent its author withdrew, or amending it would quote them again; its item is
    written again, so the name they were quoted under leaves its title too."""
    for written in db.session.scalars(select(ResearchUpdate).where(ResearchUpdate.evidence_item_id == item.id)):
        written.consent_to_quote = False
        db.session.flush()
        sync_update_evidence(written)
