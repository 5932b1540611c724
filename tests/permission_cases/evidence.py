"""Permission cases for the evidence library (see tests/permission_cases/__init__.py).

Changing an item (edit, links, delete) needs EDIT, or CONTRIBUTE for the item's own creator:
the items here are created by the lead, so only the lead, team members and admins may change them.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from impact.evidence.files import path_for
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.evidence.services import REMOVED_LINK, remove_link
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import Membership, PartnerGroup, Role
from impact.projects.permissions import Need
from impact.toc.models import Link
from impact.trash import TrashRecord, undo_token
from tests.permission_cases import OWNER, UPLOAD, Case, get, post

V = "/projects/{p}/evidence"
IT = V + "/{ev_item}"
ITEM = {"kind": "document", "title": "Good practice guide", "evidence_date": "2012-01-31",
        "partner_group": "academic", "source": "Project report"}

CASES: list[Case] = [
    get("evidence.index", V + "/?q=guide&kind=document", Need.READ),
    get("evidence.new", V + "/new", Need.CONTRIBUTE),
    post("evidence.new", V + "/new", Need.CONTRIBUTE, **ITEM, file=UPLOAD + "notes.txt:Flipchart notes"),
    get("evidence.item", IT, Need.READ),
    get("evidence.edit", IT + "/edit", Need.EDIT),
    post("evidence.edit", IT + "/edit", Need.EDIT, **{**ITEM, "title": "Renamed guide"}, version="{ev_item_version}"),
    get("evidence.download", IT + "/file", Need.READ),
    post("evidence.add_link", IT + "/links", Need.EDIT, target="link:{link}", stance="challenges", strength="weak",
         version="{ev_item_version}"),
    post("evidence.edit_link", IT + "/links/{ev_link}", Need.EDIT,
         **{"link{ev_link}-stance": "mixed", "link{ev_link}-strength": "strong", "link{ev_link}-note": "Mixed",
            "link{ev_link}-version": "{ev_item_version}"}),
    get("evidence.remove_link", IT + "/links/{ev_link}/remove", Need.EDIT),
    post("evidence.remove_link", IT + "/links/{ev_link}/remove", Need.EDIT, confirm="yes",
         version="{ev_item_version}"),
    # The Undo of a removal: the token puts back a link to {link} that the item does not have yet.
    post("evidence.restore_link", IT + "/links/restore", Need.EDIT, token="{ev_undo_token}"),
    get("evidence.delete", IT + "/delete", Need.EDIT),
    post("evidence.delete", IT + "/delete", Need.EDIT),
    get("evidence.trash", V + "/trash", Need.READ),
    get("evidence.voices", V + "/voices", Need.READ),
    get("evidence.mine", V + "/mine", Need.CONTRIBUTE),
    post("evidence.withdraw_consent", IT + "/withdraw-consent", OWNER),
    post("evidence.restore", V + "/{ev_deleted}/restore", Need.EDIT),
]


def _lead_id(project) -> int:
    return db.session.scalar(select(Membership.user_id).where(Membership.project_id == project.id,
                                                              Membership.role == Role.LEAD))


def furnish(project, step) -> None:
    """An item by the lead with a file and a link to the step, and one in the trash (the caller commits)."""
    # The stored file must exist for the download to answer 200.
    content = b"Questionnaire results: 18 of 20 found the seminar useful.\n"
    sha = hashlib.sha256(content).hexdigest()
    path = path_for(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    lead = _lead_id(project)
    item = EvidenceItem(project_id=project.id, kind=EvidenceKind.QUESTIONNAIRE, title="Seminar questionnaires",
                        evidence_date=dt.date(2011, 3, 15), partner_group=PartnerGroup.PRACTITIONER,
                        created_by_id=lead, file_name="results.txt", file_sha256=sha, file_size=len(content),
                        file_type="text/plain")
    item.links.append(EvidenceLink(step_id=step.id, stance=Stance.SUPPORTS, strength=Strength.MODERATE,
                                   origin=LinkOrigin.MANUAL, created_by_id=lead))
    deleted = EvidenceItem(project_id=project.id, kind=EvidenceKind.OBSERVATION, title="Discarded note",
                           evidence_date=dt.date(2011, 4, 1), created_by_id=lead, deleted_at=utcnow(),
                           deleted_by_id=lead)
    db.session.add_all([item, deleted])
    # A link removed from the item (to the chain link the world's {link} names), for the Undo to restore.
    chain_link = db.session.scalar(select(Link.id).where(Link.project_id == project.id).order_by(Link.id))
    removed = EvidenceLink(link_id=chain_link, stance=Stance.CHALLENGES, strength=Strength.WEAK, note="Put back",
                           origin=LinkOrigin.MANUAL, created_by_id=lead)
    item.links.append(removed)
    db.session.flush()
    remove_link(item, removed)


def world(project) -> dict[str, object]:
    items = {item.title: item for item in db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.project_id == project.id,
                                   EvidenceItem.title.in_(["Seminar questionnaires", "Discarded note"])))}
    item = items["Seminar questionnaires"]
    return {
        "ev_item": item.id,
        "ev_item_version": item.version,
        "ev_link": db.session.scalar(select(EvidenceLink.id).where(EvidenceLink.item_id == item.id)
                                     .order_by(EvidenceLink.id)),
        "ev_deleted": items["Discarded note"].id,
        "ev_undo_token": undo_token(db.session.scalar(select(TrashRecord).where(
            TrashRecord.project_id == project.id, TrashRecord.kind == REMOVED_LINK))),
    }


def state(project) -> tuple:
    return (
        list(db.session.execute(
            select(EvidenceItem.id, EvidenceItem.title, EvidenceItem.version, EvidenceItem.deleted_at,
                   EvidenceItem.file_sha256).where(EvidenceItem.project_id == project.id).order_by(EvidenceItem.id))),
        list(db.session.execute(
            select(EvidenceLink.id, EvidenceLink.stance, EvidenceLink.strength, EvidenceLink.note)
            .join(EvidenceItem).where(EvidenceItem.project_id == project.id).order_by(EvidenceLink.id))),
    )
