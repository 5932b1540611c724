"""Creating projects and managing who belongs to them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from impact.auth.models import User
from impact.auth.services import create_user, find_user_by_email, send_password_reset
from impact.extensions import db
from impact.projects.models import Membership, OrganisationKind, PartnerGroup, PartnerOrganisation, Project, Role
from impact.toc.models import KE_TEMPLATE_LEVELS, Level


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
    organisation_names: list[str] | tuple[str, ...] = (),
    creator_group: PartnerGroup = PartnerGroup.ACADEMIC,
) -> Project:
    """A new project, starting from the KE template of levels, with its creator as lead."""
    project = Project(
        title=title,
        question=question or "",
        description=description or "",
        start_date=start_date,
        end_date=end_date,
        funder=funder or "",
    )
    db.session.add(project)
    for position, (name, level_description) in enumerate(KE_TEMPLATE_LEVELS):
        project.levels.append(Level(name=name, description=level_description, position=position))
    for name in organisation_names:
        project.organisations.append(PartnerOrganisation(name=name, kind=OrganisationKind.OTHER))
    project.memberships.append(Membership(user=creator, role=Role.LEAD, partner_group=creator_group))
    db.session.flush()
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


def add_member(
    project: Project,
    *,
    email: str,
    name: str | None,
    role: Role,
    partner_group: PartnerGroup,
    organisation_id: int | None,
) -> tuple[Membership, bool]:
    """Add someone to the project; returns (membership, whether a new account was made).

    A new account gets an emailed link to choose its password (the reset mechanism).
    """
    user = find_user_by_email(email)
    created = False
    if user is None:
        if not name:
            # Leads need to know this to finish adding the person, so it is said plainly
            # (only to leads of a project) and says what to do next.
            raise MembershipError(
                "No one has an account with this email yet. To invite them, give the person's name: "
                "an account will be made and they will be emailed a link to set a password."
            )
        user = create_user(email, name, None)
        created = True
    elif db.session.scalar(
        select(Membership.id).where(Membership.project_id == project.id, Membership.user_id == user.id)
    ):
        raise MembershipError(f"{user.email} is already a member of this project.")
    membership = Membership(
        project=project,
        user=user,
        role=role,
        partner_group=partner_group,
        organisation_id=_organisation_in_project(project, organisation_id),
    )
    db.session.add(membership)
    db.session.flush()
    if created:
        send_password_reset(user)
    return membership, created


def _organisation_in_project(project: Project, organisation_id: int | None) -> int | None:
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


def _lead_count(project: Project) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.project_id == project.id, Membership.role == Role.LEAD
        )
    )


def update_member(
    membership: Membership, *, role: Role, partner_group: PartnerGroup, organisation_id: int | None
) -> None:
    if membership.role == Role.LEAD and role != Role.LEAD and _lead_count(membership.project) == 1:
        raise MembershipError("A project needs at least one lead: make someone else lead first.")
    membership.role = role
    membership.partner_group = partner_group
    membership.organisation_id = _organisation_in_project(membership.project, organisation_id)
    db.session.flush()


def remove_member(membership: Membership) -> None:
    if membership.role == Role.LEAD and _lead_count(membership.project) == 1:
        raise MembershipError("A project needs at least one lead: make someone else lead first.")
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
