"""Pseudonyms respondents are quoted under: one per person in a project, never one shared by two.

The register (Pseudonym) holds one row per person (email) and name in each project, with a
unique constraint on both, so two respondents answering at the same moment cannot both take
"Practitioner 3": the second insert fails and that person gets the next free name.
"""
from __future__ import annotations

from sqlalchemy import func, select, union
from sqlalchemy.exc import IntegrityError

from impact.cards.models import ActionCard
from impact.evidence.models import EvidenceItem
from impact.extensions import db
from impact.followups.models import Campaign, FollowUp, Pseudonym, Response
from impact.projects.models import Project

MAX_TRIES = 20


def registered(project_id: int, email: str) -> str | None:
    return db.session.scalar(select(Pseudonym.name).where(Pseudonym.project_id == project_id,
                                                         Pseudonym.email == email))


def next_pseudonym(project: Project, followup: FollowUp) -> str:
    """The pseudonym to offer a respondent, like "Practitioner 3".

    One person keeps one pseudonym: the one registered for their email in this project. Otherwise
    the group label with the lowest number nobody in the project uses yet, in the register, a
    response or an evidence item (trashed ones too: they can come back). Two queries.
    """
    card = followup.card
    earlier = registered(project.id, card.email)
    if earlier:
        return earlier
    label = card.partner_group.label
    prefix = f"{label} ".lower()
    # LIKE with its wildcards escaped, so a label is matched literally.
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    taken = union(
        select(Pseudonym.name.label("pseudonym"))
        .where(Pseudonym.project_id == project.id, func.lower(Pseudonym.name).like(pattern, escape="\\")),
        select(Response.pseudonym.label("pseudonym"))
        .join(FollowUp, FollowUp.id == Response.followup_id)
        .join(Campaign, Campaign.id == FollowUp.campaign_id)
        .where(Campaign.project_id == project.id, func.lower(Response.pseudonym).like(pattern, escape="\\")),
        select(EvidenceItem.pseudonym.label("pseudonym"))
        .where(EvidenceItem.project_id == project.id, func.lower(EvidenceItem.pseudonym).like(pattern, escape="\\")),
    )
    used = set()
    for name in db.session.scalars(taken):
        number = name.strip().lower().removeprefix(prefix).strip()
        if number.isdecimal():
            used.add(int(number))
    number = 1
    while number in used:
        number += 1
    return f"{label} {number}"


def _name_free(project_id: int, name: str) -> bool:
    return db.session.scalar(select(Pseudonym.id).where(Pseudonym.project_id == project_id,
                                                        func.lower(Pseudonym.name) == name.lower())) is None


def claim_pseudonym(followup: FollowUp, *, wanted: str = "") -> str:
    """Register (or find) the person's pseudonym in the project and return it.

    ``wanted`` (a name the caller chose, e.g. the demo's) is taken if it is free; otherwise the
    next free name. A SAVEPOINT around each insert lets a lost race try the next name.
    """
    card: ActionCard = followup.card
    project = db.session.get(Project, card.project_id)
    for _ in range(MAX_TRIES):
        earlier = registered(project.id, card.email)
        if earlier:
            return earlier
        name = wanted if wanted and _name_free(project.id, wanted) else next_pseudonym(project, followup)
        wanted = ""
        try:
            with db.session.begin_nested():
                db.session.add(Pseudonym(project_id=project.id, email=card.email, name=name))
        except IntegrityError:
            continue  # someone registered this name, or this person, a moment ago
        return name
    raise RuntimeError("could not register a pseudonym")  # only under a storm of simultaneous answers
