"""Inviting people into a project by email, and their accepting.

Nothing here tells the inviter whether the email already has an account: the invitation is
the same either way, and the person's account (and its name) joins the project only when they
accept from the link sent to that address.
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import select

from impact.auth.models import User
from impact.extensions import db
from impact.external_urls import external_url
from impact.mail.links import EmailLinks, link_maker
from impact.mail.outbox import queue_email
from impact.model_types import utcnow
from impact.projects.models import Invitation, Membership, PartnerGroup, Project, Role
from impact.signing import LinkProblem, make_token, read_token

PURPOSE = "project-invitation"


class InvitationError(ValueError):
    """An invitation that cannot be made or used, with a message for the person."""


def pending_query(project: Project):
    return (select(Invitation).where(Invitation.project_id == project.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.sent_at.desc(), Invitation.id.desc()))


def get_pending_or_404(project: Project, invitation_id: int) -> Invitation:
    return db.first_or_404(pending_query(project).where(Invitation.id == invitation_id))


def _is_member(project: Project, email: str) -> bool:
    # Members' emails are on the members page already, so saying so reveals nothing new.
    return db.session.scalar(
        select(Membership.id).join(User, User.id == Membership.user_id)
        .where(Membership.project_id == project.id, User.email == email)
    ) is not None


def invite(project: Project, inviter: User, *, email: str, name: str, role: Role, partner_group: PartnerGroup,
           organisation_id: int | None) -> Invitation:
    """Invite (or invite again, with the new details) ``email``, already normalised; the caller commits."""
    if _is_member(project, email):
        raise InvitationError(f"{email} is already a member of this project.")
    invitation = db.session.scalar(select(Invitation).where(Invitation.project_id == project.id,
                                                            Invitation.email == email))
    if invitation is None:
        invitation = Invitation(project_id=project.id, email=email)
        db.session.add(invitation)
    invitation.name, invitation.role, invitation.partner_group = name, role, partner_group
    invitation.organisation_id, invitation.invited_by_id = organisation_id, inviter.id
    invitation.accepted_at, invitation.sent_at = None, utcnow()
    invitation.token_stamp = secrets.token_hex(16)
    db.session.flush()
    _send(invitation, inviter)
    return invitation


def send_again(invitation: Invitation, inviter: User) -> None:
    invitation.sent_at, invitation.token_stamp = utcnow(), secrets.token_hex(16)
    db.session.flush()
    _send(invitation, inviter)


def withdraw(invitation: Invitation) -> None:
    db.session.delete(invitation)
    db.session.flush()


def max_age() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"])


def _send(invitation: Invitation, inviter: User) -> None:
    days = max_age().days
    links = EmailLinks(accept=("invitation", invitation.id))
    queue_email(
        kind="invitation",
        to=invitation.email,
        subject=f"Invitation to the project {invitation.project.title}"[:200],
        body=(
            f"Hello {invitation.name},\n\n"
            f"{inviter.name} invites you to join the project “{invitation.project.title}” in impact, as "
            f"{invitation.role.label.lower()}.\n\n"
            f"To accept, open this link within {days} days:\n\n{links['accept']}\n\n"
            "If you were not expecting this, you can ignore this email.\n"
        ),
        links=links.stored(),
    )


@link_maker("invitation")
def invitation_url(invitation_id: int) -> str | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        return None
    return external_url("invitations.accept", token=make_token(PURPOSE, [invitation.id, invitation.token_stamp]))


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation a link names; InvitationError says why it cannot be used."""
    try:
        value = read_token(PURPOSE, token, int(max_age().total_seconds()))
    except LinkProblem as problem:
        if str(problem) == "expired":
            raise InvitationError("This invitation has expired. Ask the project lead to send it again.") from None
        raise InvitationError("This invitation link is not valid. Check you copied the whole link.") from None
    invitation_id, stamp = value if isinstance(value, list) and len(value) == 2 else (None, None)
    invitation = db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or not isinstance(stamp, str) or not secrets.compare_digest(stamp, invitation.token_stamp):
        raise InvitationError("This invitation has been withdrawn or replaced by a newer one: use the newest email, "
                              "or ask the project lead to send it again.")
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been accepted. Log in to open the project.")
    if not _inviter_still_manages(invitation):
        # Or a lead about to be removed could invite a second address of their own, and come back.
        raise InvitationError("This invitation was sent by someone who no longer manages the project. Ask a "
                              "project lead to invite you again.")
    return invitation


def _inviter_still_manages(invitation: Invitation) -> bool:
    inviter = invitation.invited_by
    if inviter is None or not inviter.active:
        return False
    return inviter.is_admin or db.session.scalar(
        select(Membership.id).where(Membership.project_id == invitation.project_id, Membership.user_id == inviter.id,
                                    Membership.role == Role.LEAD)
    ) is not None


def accept(invitation: Invitation, user: User) -> Membership:
    """Make the user a member as invited (they may already be one: then nothing changes)."""
    membership = db.session.scalar(select(Membership).where(Membership.project_id == invitation.project_id,
                                                            Membership.user_id == user.id))
    if membership is None:
        membership = Membership(project_id=invitation.project_id, user_id=user.id, role=invitation.role,
                                partner_group=invitation.partner_group, organisation_id=invitation.organisation_id)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return membership
