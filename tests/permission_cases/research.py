"""Permission cases for practitioner research (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.projects.permissions import Need
from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus
from tests.permission_cases import Case, get, post

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


def world(project) -> dict[str, object]:
    prp = _db.session.scalar(select(ResearchProject).where(ResearchProject.project_id == project.id)
                             .order_by(ResearchProject.id))
    update = _db.session.scalar(select(ResearchUpdate).where(ResearchUpdate.research_project_id == prp.id)
                                .order_by(ResearchUpdate.id))
    return {"rs_prp": prp.id, "rs_prp_version": prp.version, "rs_update": update.id,
            "rs_update_version": update.version}


def state(project) -> tuple:
    prps = select(ResearchProject.id).where(ResearchProject.project_id == project.id)
    return (
        list(_db.session.execute(select(ResearchProject.title, ResearchProject.status, ResearchProject.version)
                                 .where(ResearchProject.project_id == project.id).order_by(ResearchProject.id))),
        list(_db.session.execute(select(ResearchUpdate.what_did, ResearchUpdate.status, ResearchUpdate.version)
                                 .where(ResearchUpdate.research_project_id.in_(prps)).order_by(ResearchUpdate.id))),
    )
