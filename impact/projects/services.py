"""Creating projects and managing who belongs to them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from impact.auth.models import User
from impact.concurrency import lock_row
from impact.extensions import db
from impact.local_time import site_zone_name
from impact.projects.models import Membership, OrganisationKind, PartnerGroup, PartnerOrganisation, Project, Role
from impact.projects.signals import project_created


class MembershipError(ValueError):
    """A membership change that would leave the project in a bad state."""


def create_project(
    *,
    creator: User,
    title: str,
    question: str = "",
    description: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    funder: str = "",
    programme: str = "",
    time_zone: str | None = None,
    organisation_names: list[str] | tuple[str, ...] = (),
    creator_group: PartnerGroup = PartnerGroup.ACADEMIC,
) -> Project:
    """A new project with its creator as lead (the theory of change gives it the KE template of levels)."""
    project = Project(
        title=title,
        question=question or "",
        description=description or "",
        start_date=start_date,
        end_date=end_date,
        funder=funder or "",
        programme=programme or "",
        time_zone=time_zone or site_zone_name(),
    )
    db.session.add(project)
    for name in organisation_names:
        project.organisations.append(PartnerOrganisation(name=name, kind=OrganisationKind.OTHER))
    project.memberships.append(Membership(user=creator, role=Role.LEAD, partner_group=creator_group))
    db.session.flush()
    project_created.send(project)
    return project


def update_project(project: Project, **fields) -> None:
    for name, value in fields.items():
        setattr(project, name, value)
    db.session.flush()


def add_organisation(project: Project, name: str, kind: OrganisationKind) -> PartnerOrganisation:
    exists = db.session.scalar(
        select(PartnerOrganisation.id).where(
            PartnerOrganisation.project_id == project.id, func.lower(PartnerOrganisation.name) == name.lower()
        )
    )
    if exists:
        raise MembershipError(f"{name} is already a partner organisation of this project.")
    organisation = PartnerOrganisation(project=project, name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def add_membership(project: Project, user: User, *, role: Role, partner_group: PartnerGroup,
                   organisation_id: int | None = None) -> Membership:
    """Make an existing account a member directly (the demo, site tools); leads invite instead."""
    membership = Membership(project=project, user=user, role=role, partner_group=partner_group,
                            organisation_id=organisation_in_project(project, organisation_id))
    db.session.add(membership)
    db.session.flush()
    return membership


def organisation_in_project(project: Project, organisation_id: int | None) -> int | None:
    if not organisation_id:
        return None
    found = db.session.scalar(
        select(PartnerOrganisation.id).where(
            PartnerOrganisation.id == organisation_id, PartnerOrganisation.project_id == project.id
        )
    )
    if found is None:
        raise MembershipError("Choose one of this project's partner organisations.")
    return found


NEEDS_A_LEAD = "A project needs at least one lead: make someone else lead first."


def _other_leads(membership: Membership) -> int:
    """Leads of the project besides this membership, counted under the project's lock.

    Without the lock two leads demoting each other at the same moment would each see the other
    still lead, and the project would be left with none.
    """
    lock_row(Project, membership.project_id)
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.project_id == membership.project_id, Membership.role == Role.LEAD,
            Membership.id != membership.id,
        )
    )


def update_member(
    membership: Membership, *, role: Role, partner_group: PartnerGroup, organisation_id: int | None
) -> None:
    if role != Role.LEAD and _other_leads(membership) == 0:
        raise MembershipError(NEEDS_A_LEAD)
    membership.role = role
    membership.partner_group = partner_group
    membership.organisation_id = organisation_in_project(membership.project, organisation_id)
    db.session.flush()


def remove_member(membership: Membership) -> None:
    if _other_leads(membership) == 0:
        raise MembershipError(NEEDS_A_LEAD)
    db.session.delete(membership)
    db.session.flush()


def members_query(project: Project):
    """The members list, with each person and organisation loaded up front (no query per row)."""
    return (
        select(Membership)
        .where(Membership.project_id == project.id)
        .join(Membership.user)
        .options(contains_eager(Membership.user), selectinload(Membership.organisation))
        .order_by(User.name, User.id)
    )


def member_voice(project: Project, user) -> PartnerGroup:
    """Whose voice the user's contributions carry in the project: their membership's partner group
    (someone who is no member, a site admin, counts as other)."""
    group = db.session.scalar(select(Membership.partner_group).where(
        Membership.project_id == project.id, Membership.user_id == user.id))
    return group or PartnerGroup.OTHER
