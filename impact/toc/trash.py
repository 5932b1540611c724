"""Deleting a step keeps a copy, so the deletion can be undone."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from impact.auth.models import User
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import Project
from impact.toc.models import Assumption, AssumptionKind, DeletedStep, FactorDirection, InfluencingFactor, Level, Link, Step
from impact.toc import dependents
from impact.toc.services import ChainError, leads_to

RECENT_LIMIT = 10


def _related(step: Step) -> tuple[list[Link], list[Assumption]]:
    links = list(db.session.scalars(
        select(Link).where((Link.source_step_id == step.id) | (Link.target_step_id == step.id)).order_by(Link.id)
    ))
    assumptions = list(db.session.scalars(
        select(Assumption).where(Assumption.link_id.in_([link.id for link in links])).order_by(Assumption.id)
    )) if links else []
    return links, assumptions


def _dependents(step: Step, links: list[Link], assumptions: list[Assumption]) -> dict:
    return dependents.capture(step.id, [link.id for link in links], [a.id for a in assumptions],
                              [f.id for f in step.factors])


def held_by(step: Step) -> dict[str, int]:
    """What deleting the step would take with it besides the chain itself, for the confirmation page."""
    held = _dependents(step, *_related(step))
    return {"evidence": len(held["evidence_links"]), "assessments": len(held["assessments"]),
            "tags": len(held["action_steps"])}


def delete_step(step: Step, user: User | None) -> DeletedStep:
    links, assumptions = _related(step)
    payload = {
        "step": {"id": step.id, "level_id": step.level_id, "title": step.title,
                 "description": step.description, "position": step.position},
        "links": [
            {"id": link.id, "source": link.source_step_id, "target": link.target_step_id, "note": link.note,
             "assumptions": [{"id": a.id, "kind": a.kind.value, "text": a.text}
                             for a in assumptions if a.link_id == link.id]}
            for link in links
        ],
        "factors": [{"id": f.id, "title": f.title, "direction": f.direction.value, "description": f.description}
                    for f in step.factors],
        "dependents": _dependents(step, links, assumptions),
    }
    record = DeletedStep(project_id=step.project_id, title=step.title, payload=payload, deleted_by=user)
    db.session.add(record)
    # Links, their assumptions and the step's factors go with it (ON DELETE CASCADE).
    db.session.delete(step)
    db.session.flush()
    return record


def recently_deleted_query(project: Project):
    return (
        select(DeletedStep)
        .where(DeletedStep.project_id == project.id, DeletedStep.restored_at.is_(None))
        .order_by(DeletedStep.deleted_at.desc(), DeletedStep.id.desc())
        .options(selectinload(DeletedStep.deleted_by))
        .limit(RECENT_LIMIT)
    )


def restore_step(record: DeletedStep) -> list[str]:
    """Put the step back; returns notes on anything that could not come back as it was."""
    if record.restored_at is not None:
        raise ChainError("That step has already been restored.")
    data, notes = record.payload, []
    project_id = record.project_id
    if db.session.get(Step, data["step"]["id"]) is not None:
        # Ids are never reused (see NEVER_REUSE_IDS), so this means the record was restored by other means.
        raise ChainError("That step is already in the chain.")
    level = db.session.scalar(select(Level).where(Level.id == data["step"]["level_id"], Level.project_id == project_id))
    if level is None:
        level = db.session.scalar(select(Level).where(Level.project_id == project_id).order_by(Level.position, Level.id))
        if level is None:
            raise ChainError("The project has no levels left to restore the step into: add a level first.")
        notes.append(f"Its level no longer exists, so it is now in {level.name}.")
    step = Step(id=data["step"]["id"], project_id=project_id, level_id=level.id, title=data["step"]["title"],
                description=data["step"]["description"], position=data["step"]["position"])
    db.session.add(step)
    db.session.flush()
    existing = set(db.session.scalars(select(Step.id).where(Step.project_id == project_id)))
    for link_data in data["links"]:
        other = link_data["target"] if link_data["source"] == step.id else link_data["source"]
        if other not in existing:
            notes.append("A link to a step that has since been deleted was not restored.")
            continue
        if leads_to(project_id, link_data["target"], link_data["source"]):
            notes.append("A link that would now make a loop was not restored.")
            continue
        link = Link(id=link_data["id"], project_id=project_id, source_step_id=link_data["source"],
                    target_step_id=link_data["target"], note=link_data["note"])
        db.session.add(link)
        db.session.flush()
        for a in link_data["assumptions"]:
            db.session.add(Assumption(id=a["id"], link_id=link.id, kind=AssumptionKind(a["kind"]), text=a["text"]))
    for f in data["factors"]:
        db.session.add(InfluencingFactor(id=f["id"], project_id=project_id, step_id=step.id, title=f["title"],
                                         direction=FactorDirection(f["direction"]), description=f["description"]))
    db.session.flush()
    lost = dependents.restore(data.get("dependents", {}))
    if lost:
        notes.append(f"{lost} piece{'s' if lost != 1 else ''} of evidence, assessment or tagging could not come back "
                     "because what they pointed at has since been deleted.")
    record.restored_at = utcnow()
    db.session.flush()
    return notes
