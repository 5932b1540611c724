"""Permission cases for practitioner research (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.evidence.models import EvidenceItem
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.projects.permissions import Need
from impact.research.models import ResearchOutput, ResearchProject, ResearchReminder, ResearchUpdate, UpdateStatus
from impact.research.reminders import PURPOSE
from impact.research.services import sync_output_evidence
from impact.signing import make_token
from tests.permission_cases import PUBLIC, UPLOAD, Case, get, post

R = "/projects/{p}/research"
P = R + "/{rs_prp}"

CASES: list[Case] = [
    get("research.index", R + "/", Need.READ),
    get("research.new", R + "/new", Need.EDIT),
    post("research.new", R + "/new", Need.EDIT, title="Carers first", status="active", local_authority="Council A"),
    get("research.show", P, Need.READ),
    get("research.edit", P + "/edit", Need.EDIT),
    post("research.edit", P + "/edit", Need.EDIT, title="Carers first, renamed", status="completed",
         version="{rs_prp_version}"),
    get("research.new_update", P + "/updates/new", Need.CONTRIBUTE),
    post("research.new_update", P + "/updates/new", Need.CONTRIBUTE, what_did="Ran a carers' session",
         update_date="2012-03-01", submit="Submit update"),
    # A submitted update of no one's (its author left): the team may correct it, others not.
    get("research.edit_update", P + "/updates/{rs_update}", Need.EDIT),
    post("research.edit_update", P + "/updates/{rs_update}", Need.EDIT, what_did="Corrected by the team",
         update_date="2012-03-02", version="{rs_update_version}", submit="Submit update"),
    post("research.add_output", P + "/outputs", Need.EDIT, title="Forum slides",
         file=UPLOAD + "slides.txt:Findings for the forum."),
    get("research.remove_output", P + "/outputs/{rs_output}/remove", Need.EDIT),
    post("research.remove_output", P + "/outputs/{rs_output}/remove", Need.EDIT),
    post("research.restore_output", P + "/outputs/{rs_removed_output}/restore", Need.EDIT),
    # A reminder's link: the lead it was sent to is signed in by whoever holds it (once).
    get("research_sign_in.sign_in", "/research/sign-in/{rs_sign_in}", PUBLIC),
    post("research_sign_in.sign_in", "/research/sign-in/{rs_sign_in}", PUBLIC),
]


def furnish(project, step) -> None:
    """A PRP on the step with one submitted update whose author is gone."""
    prp = ResearchProject(project_id=project.id, title="Carers' voices", local_authority="Council A")
    prp.steps = [step]
    _db.session.add(prp)
    _db.session.flush()
    update = ResearchUpdate(research_project_id=prp.id, status=UpdateStatus.SUBMITTED, update_date=dt.date(2012, 2, 1),
                            partner_group=PartnerGroup.PRACTITIONER, what_did="First session")
    update.steps = [step]
    _db.session.add(update)
    _db.session.add(ResearchReminder(research_project_id=prp.id, user_id=project.memberships[0].user_id))
    for title in ("Briefing", "Poster"):
        output = ResearchOutput(research_project_id=prp.id, title=title)
        _db.session.add(output)
        _db.session.flush()
        sync_output_evidence(output)
    output.evidence_item.deleted_at = dt.datetime(2012, 3, 1, tzinfo=dt.UTC)


def world(project) -> dict[str, object]:
    prp = _db.session.scalar(select(ResearchProject).where(ResearchProject.project_id == project.id)
                             .order_by(ResearchProject.id))
    update = _db.session.scalar(select(ResearchUpdate).where(ResearchUpdate.research_project_id == prp.id)
                                .order_by(ResearchUpdate.id))
    reminder = _db.session.scalar(select(ResearchReminder).where(ResearchReminder.research_project_id == prp.id))
    outputs = _db.session.scalars(select(ResearchOutput.id).where(ResearchOutput.research_project_id == prp.id)
                                  .order_by(ResearchOutput.id)).all()
    return {"rs_output": outputs[0], "rs_removed_output": outputs[1],
            "rs_prp": prp.id, "rs_prp_version": prp.version, "rs_update": update.id,
            "rs_update_version": update.version,
            "rs_sign_in": make_token(PURPOSE, [reminder.id, reminder.user.token_stamp])}


def state(project) -> tuple:
    prps = select(ResearchProject.id).where(ResearchProject.project_id == project.id)
    return (
        list(_db.session.execute(select(ResearchProject.title, ResearchProject.status, ResearchProject.version)
                                 .where(ResearchProject.project_id == project.id).order_by(ResearchProject.id))),
        list(_db.session.execute(select(ResearchUpdate.what_did, ResearchUpdate.status, ResearchUpdate.version)
                                 .where(ResearchUpdate.research_project_id.in_(prps)).order_by(ResearchUpdate.id))),
        list(_db.session.scalars(select(ResearchReminder.used_at.is_(None))
                                 .where(ResearchReminder.research_project_id.in_(prps)))),
        list(_db.session.execute(select(ResearchOutput.title, EvidenceItem.deleted_at.is_(None))
                                 .join(EvidenceItem, EvidenceItem.id == ResearchOutput.evidence_item_id)
                                 .where(ResearchOutput.research_project_id.in_(prps)).order_by(ResearchOutput.id))),
    )
