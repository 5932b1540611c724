"""Helpers that build real rows through the app's own services."""
from __future__ import annotations

import itertools

from impact.auth.services import create_user
from impact.extensions import db
from impact.projects.models import Membership, PartnerGroup, Project, Role
from impact.projects.services import create_project
from impact.toc import services as chain
from impact.toc.models import AssumptionKind, FactorDirection, Level

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def user(name: str | None = None, *, admin: bool = False, email: str | None = None, creator: bool = False):
    n = next(_counter)
    account = create_user(email or f"user{n}@example.org", name or f"User {n}", PASSWORD, is_admin=admin)
    account.can_create_projects = creator
    db.session.commit()
    return account


def project(lead=None, title: str = "Test project") -> Project:
    lead = lead or user("Lead")
    created = create_project(creator=lead, title=title, question="Did it help?", organisation_names=["Council A"])
    db.session.commit()
    return created


def chain_project(lead=None) -> Project:
    """Template levels; steps Seminars (Activities) → Attendees (Reach) → Practice (Practice change),
    plus a skip link Seminars → Practice; an assumption on the first link and a hindering factor."""
    created = project(lead)
    levels = {level.name: level for level in created.levels}
    seminars = chain.add_step(created, levels["Activities"], "Seminars")
    attendees = chain.add_step(created, levels["Reach"], "Attendees from six councils")
    practice = chain.add_step(created, levels["Practice change"], "Reports written for the client")
    first = chain.add_link(created, seminars, attendees)
    chain.add_link(created, attendees, practice)
    chain.add_link(created, seminars, practice)
    chain.add_assumption(first, AssumptionKind.ASSUMPTION, "Managers release staff to attend")
    chain.add_factor(practice, "Heavy caseloads", FactorDirection.HINDERING)
    db.session.commit()
    return created


def level(project: Project, name: str) -> Level:
    return next(level for level in project.levels if level.name == name)


def user_with_role(role: str, project: Project | None):
    if role == "admin":
        return user("Admin", admin=True)
    if role == "creator":  # in no project, but a site admin allowed the account to create projects
        return user("Creator", creator=True)
    account = user(role.replace("_", " ").capitalize())
    if role != "outsider":
        db.session.add(Membership(project_id=project.id, user_id=account.id, role=Role(role),
                                  partner_group=PartnerGroup.OTHER))
        db.session.commit()
    return account


def email_text(message) -> str:
    """An outbox message's plain text as it is sent: its personal links made now (impact.mail.links)."""
    from impact.mail.links import filled_bodies

    return filled_bodies(message)[0]
