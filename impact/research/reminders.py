"""Reminders to PRP leads, at the rhythm the team set, with a link that signs them in once.

A lead is reminded when neither an update of theirs on the PRP nor a reminder has come within its
rhythm (counted from when the PRP started, or was added, for the first). Only active PRPs remind.
The link in the email opens a page with one button: following the link alone (as mail scanners
do) signs nobody in and does not use it up.
"""
from __future__ import annotations

import datetime as dt
import hmac

from flask import current_app
from sqlalchemy import func, select, update

from impact.auth.models import User
from impact.extensions import db
from impact.external_urls import external_url
from impact.mail.addresses import is_normal_address
from impact.mail.links import EmailLinks, link_maker
from impact.mail.outbox import queue_email
from impact.model_types import utcnow
from impact.projects.models import Membership
from impact.projects.permissions import CAPABILITIES, Need
from impact.research.mail_updates import reply_address
from impact.research.models import (
    ResearchProject,
    ResearchReminder,
    ResearchStatus,
    ResearchUpdate,
    UpdateStatus,
    research_project_leads,
)
from impact.signing import LinkProblem, make_token, read_token

PURPOSE = "research-sign-in"
CONTRIBUTING_ROLES = [role for role, needs in CAPABILITIES.items() if Need.CONTRIBUTE in needs]
LINK_KIND = "research-sign-in"


class SignInProblem(ValueError):
    """Why a reminder's sign-in link cannot be used, for the page."""


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=current_app.config.get("RESEARCH_LINK_DAYS", 14))


def _last(model_time, *where):
    return select(func.max(model_time)).where(*where).scalar_subquery()


def due_reminders(now: dt.datetime) -> list[tuple[ResearchProject, User]]:
    """(PRP, lead) pairs owed a reminder now, in one query."""
    prps = db.session.execute(
        select(ResearchProject, User,
               _last(ResearchUpdate.submitted_at, ResearchUpdate.research_project_id == ResearchProject.id,
                     ResearchUpdate.author_id == User.id, ResearchUpdate.status == UpdateStatus.SUBMITTED),
               _last(ResearchReminder.sent_at, ResearchReminder.research_project_id == ResearchProject.id,
                     ResearchReminder.user_id == User.id))
        .join(research_project_leads, research_project_leads.c.research_project_id == ResearchProject.id)
        .join(User, User.id == research_project_leads.c.user_id)
        # Only leads still in the project with a role that contributes: nobody removed is reminded.
        .join(Membership, (Membership.user_id == User.id) & (Membership.project_id == ResearchProject.project_id))
        .where(ResearchProject.status == ResearchStatus.ACTIVE, ResearchProject.reminder_weeks.is_not(None),
               User.active.is_(True), Membership.role.in_(CONTRIBUTING_ROLES))
        .order_by(ResearchProject.id, User.id)
    ).all()
    due = []
    for prp, user, last_update, last_reminder in prps:
        started = (dt.datetime.combine(prp.started_on, dt.time(), tzinfo=dt.UTC) if prp.started_on
                   else prp.created_at)
        latest = max(moment for moment in (started, last_update, last_reminder) if moment is not None)
        if now - latest >= dt.timedelta(weeks=prp.reminder_weeks) and is_normal_address(user.email):
            due.append((prp, user))
    return due


def send_reminders() -> dict[str, int]:
    """Due work for ``flask jobs run``: queue the reminders owed now through the outbox."""
    now = utcnow()
    sent = 0
    for prp, user in due_reminders(now):
        reminder = ResearchReminder(research_project_id=prp.id, user_id=user.id, sent_at=now)
        db.session.add(reminder)
        db.session.flush()
        links = EmailLinks(update=(LINK_KIND, reminder.id))
        reply_to = reply_address(reminder)
        queue_email(
            kind="research_reminder", to=user.email, about=("research_reminder", reminder.id),
            subject=f"A quick update on {prp.title}?",
            body=(f"Hello {user.name},\n\n"
                  f"It is {prp.reminder_weeks} weeks since the last update on \u201c{prp.title}\u201d. "
                  "What have you done, and what has changed? A few lines are enough.\n\n"
                  f"This link signs you in and opens the update form (it works once):\n{links['update']}\n\n"
                  + ("Or simply reply to this email with your update (and a photo or file, if you like): it is "
                     "saved as a draft for you to check and submit.\n\n" if reply_to else "")
                  + "You receive this because you lead this practitioner research project; the project team can "
                  "change how often these reminders come.\n"),
            links=links.stored(), reply_to=reply_to)
        sent += 1
    db.session.commit()
    return {"reminders queued": sent}


@link_maker(LINK_KIND)
def sign_in_url(reminder_id: int) -> str | None:
    reminder = db.session.get(ResearchReminder, reminder_id)
    if reminder is None or reminder.used_at is not None:
        return None
    # With the user's token stamp: a new password (or email) makes every link sent before useless.
    return external_url("research_sign_in.sign_in", token=make_token(PURPOSE, [reminder.id, reminder.user.token_stamp]))


def reminder_for_token(token: str) -> ResearchReminder:
    """The unused reminder a link names; SignInProblem says why it cannot be used."""
    try:
        reminder_id = read_token(PURPOSE, token, int(link_max_age().total_seconds()))
    except LinkProblem as problem:
        if str(problem) == "expired":
            raise SignInProblem("This link has expired. Log in with your password instead.") from None
        raise SignInProblem("This link is not valid. Check you copied the whole link, or log in.") from None
    valid = isinstance(reminder_id, list) and len(reminder_id) == 2 and isinstance(reminder_id[0], int)
    reminder = db.session.get(ResearchReminder, reminder_id[0]) if valid else None
    if (reminder is None or reminder.used_at is not None or not reminder.user.active
            or not hmac.compare_digest(str(reminder_id[1]), reminder.user.token_stamp)):
        raise SignInProblem("This link has been used already. Log in with your password instead.")
    if reminder.user.is_admin:  # a passwordless way into a site admin's account is not worth having
        raise SignInProblem("Site admins sign in with their password.")
    return reminder


def use(reminder: ResearchReminder) -> None:
    """Spend the link, atomically: of two uses at the same moment, only one signs in."""
    used = db.session.execute(update(ResearchReminder).where(
        ResearchReminder.id == reminder.id, ResearchReminder.used_at.is_(None)).values(used_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not used:
        raise SignInProblem("This link has been used already. Log in with your password instead.")


def lead_status(prp: ResearchProject, now: dt.datetime | None = None) -> list[tuple[User, dt.datetime | None, bool]]:
    """Each lead of the PRP with their last submitted update, and whether they are overdue at its rhythm."""
    now = now or utcnow()
    last = dict(db.session.execute(
        select(ResearchUpdate.author_id, func.max(ResearchUpdate.submitted_at))
        .where(ResearchUpdate.research_project_id == prp.id, ResearchUpdate.status == UpdateStatus.SUBMITTED)
        .group_by(ResearchUpdate.author_id)).all())
    rows = []
    for lead in prp.leads:
        latest = last.get(lead.id)
        overdue = (prp.reminder_weeks is not None and prp.status is ResearchStatus.ACTIVE
                   and (latest is None or now - latest >= dt.timedelta(weeks=prp.reminder_weeks)))
        rows.append((lead, latest, overdue))
    return rows
