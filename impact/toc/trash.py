"""Deleting a step, link, assumption or factor goes to the trash (impact/trash.py), so it can be undone.

The chain keeps its own copy of the parts (the payload's "step", "links", "factors", or the part
named by its "kind") and puts them back itself: a step whose level has gone since goes into another,
a link that would now make a loop stays out. What hangs on the parts (evidence links, assessments,
tags, and whatever a later feature adds) is copied and brought back by the core.
"""
from __future__ import annotations

from sqlalchemy import select

from impact import trash
from impact.auth.models import User
from impact.dependents import hanging_keys as _hanging_keys
from impact.extensions import db
from impact.projects.models import Project
from impact.toc.models import (
    Assumption,
    AssumptionKind,
    FactorDirection,
    InfluencingFactor,
    Level,
    Link,
    Step,
)
from impact.toc.services import ChainError, hand_on_shared_factors, leads_to
from impact.trash import TrashRecord

RECENT_LIMIT = 10
# The chain's own tables: the trash record copies these parts itself (below).
CHAIN_TABLES = ("steps", "links", "assumptions", "influencing_factors")
# The kinds of trash record the chain keeps and restores (a "step" record is one without a kind in its payload).
KINDS = ("step", "link", "assumption", "factor")


def hanging_keys():
    """Every foreign key that points, directly or through other hanging rows, at a chain part."""
    return _hanging_keys(CHAIN_TABLES)


def _ids(step_ids: list[int], link_ids: list[int], assumption_ids: list[int], factor_ids: list[int]) -> dict:
    return dict(zip(CHAIN_TABLES, (step_ids, link_ids, assumption_ids, factor_ids), strict=True))


def _related(step: Step) -> tuple[list[Link], list[Assumption]]:
    links = list(db.session.scalars(
        select(Link).where((Link.source_step_id == step.id) | (Link.target_step_id == step.id)).order_by(Link.id)
    ))
    assumptions = list(db.session.scalars(
        select(Assumption).where(Assumption.link_id.in_([link.id for link in links])).order_by(Assumption.id)
    )) if links else []
    return links, assumptions


def _step_ids(step: Step, links: list[Link], assumptions: list[Assumption]) -> dict:
    return _ids([step.id], [link.id for link in links], [a.id for a in assumptions], [f.id for f in step.factors])


def held_by(step: Step) -> dict[str, int]:
    """What deleting the step would take with it besides the chain itself, for the confirmation page."""
    return trash.held_by(CHAIN_TABLES, _step_ids(step, *_related(step)))


def _link_data(link: Link) -> dict:
    return {"id": link.id, "source": link.source_step_id, "target": link.target_step_id, "note": link.note,
            "assumptions": [_assumption_data(a) for a in link.assumptions]}


def _assumption_data(assumption: Assumption) -> dict:
    return {"id": assumption.id, "link_id": assumption.link_id, "kind": assumption.kind.value, "text": assumption.text}


def _factor_data(factor: InfluencingFactor) -> dict:
    return {"id": factor.id, "step_id": factor.step_id, "title": factor.title, "direction": factor.direction.value,
            "description": factor.description}


def _part_ids(obj: Link | Assumption | InfluencingFactor) -> dict:
    if isinstance(obj, Link):
        return _ids([], [obj.id], [a.id for a in obj.assumptions], [])
    if isinstance(obj, Assumption):
        return _ids([], [], [obj.id], [])
    return _ids([], [], [], [obj.id])


def held_by_part(obj: Link | Assumption | InfluencingFactor) -> dict[str, int]:
    return trash.held_by(CHAIN_TABLES, _part_ids(obj))


def delete_part(obj: Link | Assumption | InfluencingFactor, title: str, user: User | None) -> TrashRecord:
    """Delete a link (with its assumptions), an assumption or a factor, keeping a copy to restore."""
    kind, data = (("link", _link_data(obj)) if isinstance(obj, Link)
                  else ("assumption", _assumption_data(obj)) if isinstance(obj, Assumption)
                  else ("factor", _factor_data(obj)))
    project_id = obj.link.project_id if isinstance(obj, Assumption) else obj.project_id
    return trash.put_away([obj], project_id=project_id, kind=kind, title=title, user=user,
                          data={"kind": kind, kind: data}, family=CHAIN_TABLES, ids=_part_ids(obj), copy=False)


def delete_step(step: Step, user: User | None) -> TrashRecord:
    hand_on_shared_factors(step)
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
    }
    # Links, their assumptions and the step's factors go with it (ON DELETE CASCADE).
    return trash.put_away([step], project_id=step.project_id, kind="step", title=step.title, user=user,
                          data=payload, family=CHAIN_TABLES, ids=_step_ids(step, links, assumptions), copy=False)


def recently_deleted_query(project: Project):
    return trash.listed(project.id, KINDS, RECENT_LIMIT)


def record_or_404(project: Project, record_id: int) -> TrashRecord:
    """A deleted part of this project's chain (not another feature's record), or 404."""
    return trash.get_or_404(project.id, record_id, KINDS)


def _restore_part(record: TrashRecord) -> list[str]:
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


def _lost_note(lost: int) -> str:
    return (f"{lost} piece{'s' if lost != 1 else ''} of evidence, assessment or tagging could not come back "
            "because what they pointed at has since been deleted.")


def restore_step(record: TrashRecord) -> list[str]:
    """Put the step (or link, assumption, factor) back; returns notes on anything that could not come back."""
    try:
        return trash.restore(record, put_back=_put_back, family=CHAIN_TABLES, lost_note=_lost_note)
    except trash.TrashError as exc:
        raise ChainError(str(exc)) from None


def _put_back(record: TrashRecord) -> list[str]:
    if record.payload.get("kind", "step") != "step":
        return _restore_part(record)
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
    return notes
