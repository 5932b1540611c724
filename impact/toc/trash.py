"""Deleting a step, link, assumption or factor keeps a copy, so the deletion can be undone.

The copies live in DeletedStep records (named for the first thing that could be deleted);
the payload's "kind" says what the record holds.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from impact.auth.models import User
from impact.column_limits import clip
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import Project
from impact.toc import dependents
from impact.toc.models import (
    Assumption,
    AssumptionKind,
    DeletedStep,
    FactorDirection,
    InfluencingFactor,
    Level,
    Link,
    Step,
)
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
    return dependents.capture([step.id], [link.id for link in links], [a.id for a in assumptions],
                              [f.id for f in step.factors])


def held_by(step: Step) -> dict[str, int]:
    """What deleting the step would take with it besides the chain itself, for the confirmation page."""
    return dependents.held_counts(_dependents(step, *_related(step)))


def _link_data(link: Link) -> dict:
    return {"id": link.id, "source": link.source_step_id, "target": link.target_step_id, "note": link.note,
            "assumptions": [_assumption_data(a) for a in link.assumptions]}


def _assumption_data(assumption: Assumption) -> dict:
    return {"id": assumption.id, "link_id": assumption.link_id, "kind": assumption.kind.value, "text": assumption.text}


def _factor_data(factor: InfluencingFactor) -> dict:
    return {"id": factor.id, "step_id": factor.step_id, "title": factor.title, "direction": factor.direction.value,
            "description": factor.description}


def _capture_part(obj: Link | Assumption | InfluencingFactor) -> dict:
    if isinstance(obj, Link):
        return dependents.capture([], [obj.id], [a.id for a in obj.assumptions], [])
    if isinstance(obj, Assumption):
        return dependents.capture([], [], [obj.id], [])
    return dependents.capture([], [], [], [obj.id])


def held_by_part(obj: Link | Assumption | InfluencingFactor) -> dict[str, int]:
    return dependents.held_counts(_capture_part(obj))


def delete_part(obj: Link | Assumption | InfluencingFactor, title: str, user: User | None) -> DeletedStep:
    """Delete a link (with its assumptions), an assumption or a factor, keeping a copy to restore."""
    kind, data = (("link", _link_data(obj)) if isinstance(obj, Link)
                  else ("assumption", _assumption_data(obj)) if isinstance(obj, Assumption)
                  else ("factor", _factor_data(obj)))
    project_id = obj.link.project_id if isinstance(obj, Assumption) else obj.project_id
    record = DeletedStep(project_id=project_id, title=clip(DeletedStep.title, title), deleted_by=user,
                         payload={"kind": kind, kind: data, "dependents": _capture_part(obj)})
    db.session.add(record)
    db.session.delete(obj)
    db.session.flush()
    return record


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


def _restore_part(record: DeletedStep) -> list[str]:
    data, kind = record.payload, record.payload["kind"]
    part = data[kind]
    if kind == "link":
        steps = set(db.session.scalars(select(Step.id).where(Step.id.in_([part["source"], part["target"]]))))
        if db.session.get(Link, part["id"]) is not None:
            raise ChainError("That link is already in the chain.")
        if steps != {part["source"], part["target"]}:
            raise ChainError("One of the link's steps has been deleted since: restore the step first.")
        if db.session.scalar(select(Link.id).where(Link.source_step_id == part["source"],
                                                    Link.target_step_id == part["target"])) is not None:
            raise ChainError("The chain has this link again (added since). Its evidence and assessments stay in the "
                             "trash record; link them to the new one from the evidence items.")
        if leads_to(record.project_id, part["target"], part["source"]):
            raise ChainError("Restoring that link would now make a loop in the chain.")
        db.session.add(Link(id=part["id"], project_id=record.project_id, source_step_id=part["source"],
                            target_step_id=part["target"], note=part["note"]))
        db.session.flush()
        for a in part["assumptions"]:
            db.session.add(Assumption(id=a["id"], link_id=part["id"], kind=AssumptionKind(a["kind"]), text=a["text"]))
    elif kind == "assumption":
        if db.session.get(Assumption, part["id"]) is not None:
            raise ChainError("That assumption is already in the chain.")
        if db.session.get(Link, part["link_id"]) is None:
            raise ChainError("Its link has been deleted since: restore the link first.")
        db.session.add(Assumption(id=part["id"], link_id=part["link_id"], kind=AssumptionKind(part["kind"]),
                                  text=part["text"]))
    else:
        if db.session.get(InfluencingFactor, part["id"]) is not None:
            raise ChainError("That factor is already in the chain.")
        if db.session.get(Step, part["step_id"]) is None:
            raise ChainError("Its step has been deleted since: restore the step first.")
        db.session.add(InfluencingFactor(id=part["id"], project_id=record.project_id, step_id=part["step_id"],
                                         title=part["title"], direction=FactorDirection(part["direction"]),
                                         description=part["description"]))
    db.session.flush()
    return []


def restore_step(record: DeletedStep) -> list[str]:
    """Put the step (or link, assumption, factor) back; returns notes on anything that could not come back."""
    if record.restored_at is not None:
        raise ChainError("That has already been restored.")
    if record.payload.get("kind", "step") != "step":
        notes = _restore_part(record)
        return _finish_restore(record, notes)
    data, notes = record.payload, []
    project_id = record.project_id
    if db.session.get(Step, data["step"]["id"]) is not None:
        # Ids are never reused (see NEVER_REUSE_IDS), so this means the record was restored by other means.
        raise ChainError("That step is already in the chain.")
    level = db.session.scalar(select(Level).where(Level.id == data["step"]["level_id"], Level.project_id == project_id))
    if level is None:
        level = db.session.scalar(
            select(Level).where(Level.project_id == project_id).order_by(Level.position, Level.id))
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
    return _finish_restore(record, notes)


def _finish_restore(record: DeletedStep, notes: list[str]) -> list[str]:
    lost = dependents.restore(record.payload.get("dependents", {}))
    if lost:
        notes.append(f"{lost} piece{'s' if lost != 1 else ''} of evidence, assessment or tagging could not come back "
                     "because what they pointed at has since been deleted.")
    record.restored_at = utcnow()
    db.session.flush()
    return notes
