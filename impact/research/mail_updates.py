"""Updates sent by email: a reply to a reminder (its Reply-To carries a signed tag naming the reminder), or
a message to the project's update address from a lead of exactly one active PRP. Either is filed as a
draft update, with the reply's new words and its first attachment, for the author to finish in one click;
a reply to a reminder is submitted at once where the PRP's team chose so. A message to the plain address
never is: its From header is all that names its sender, and anyone can write one (SPF and DMARC are the
mail server's to check, and many servers do not), so it waits for the real author to confirm it.
"""
from __future__ import annotations

import datetime as dt
import io

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from impact.auth.models import User
from impact.auth.services import find_user_by_email
from impact.evidence import files
from impact.extensions import db
from impact.local_time import local_date
from impact.mail.inbound import EX_NOUSER, Inbound, Refused
from impact.mail.signals import mail_received
from impact.model_types import utcnow
from impact.projects.models import Project
from impact.projects.permissions import Need, can
from impact.research.forms import TEXT_MAX
from impact.research.models import (
    ResearchProject,
    ResearchReminder,
    ResearchStatus,
    ResearchUpdate,
    UpdateStatus,
    research_project_leads,
)
from impact.research.services import save_update
from impact.signing import LinkProblem, make_token, read_token

REPLY_PURPOSE = "research-reply"
REPLY_MAX_AGE = dt.timedelta(days=90)  # a reminder can be answered for a season, not for ever
EMAILED_DRAFTS_PER_DAY = 10


def _recent_drafts(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(ResearchUpdate).where(
        ResearchUpdate.author_id == user.id, ResearchUpdate.status == UpdateStatus.DRAFT,
        ResearchUpdate.created_at >= utcnow() - dt.timedelta(days=1)))


def _update_address() -> tuple[str, str] | None:
    address = current_app.config.get("RESEARCH_UPDATE_ADDRESS", "").lower()
    local, _, domain = address.partition("@")
    return (local, domain) if local and domain else None


def reply_address(reminder: ResearchReminder) -> str:
    """The Reply-To of a reminder: the update address tagged with the reminder, signed ("" when not set)."""
    address = _update_address()
    if address is None:
        return ""
    local = f"{address[0]}+{make_token(REPLY_PURPOSE, reminder.id)}"
    # RFC 5321 allows 64 characters before the @: a longer one some servers refuse, so no Reply-To then.
    return f"{local}@{address[1]}" if len(local) <= 64 else ""


def _from_reply(tag: str, inbound: Inbound) -> tuple[User, ResearchProject, ResearchReminder]:
    try:
        reminder_id = read_token(REPLY_PURPOSE, tag, int(REPLY_MAX_AGE.total_seconds()))
    except LinkProblem as problem:
        raise Refused(f"the reply address's tag is {problem} (forged, damaged or too old)") from None
    reminder = db.session.get(ResearchReminder, reminder_id) if isinstance(reminder_id, int) else None
    if reminder is None:
        raise Refused("the reminder this replies to is gone")
    if reminder.user.email != inbound.sender:
        raise Refused(f"{inbound.sender} is not the person the reminder was sent to")
    if not reminder.user.active:
        raise Refused(f"{inbound.sender}'s account is closed", EX_NOUSER)
    prp = reminder.research_project
    if prp.status is not ResearchStatus.ACTIVE or reminder.user not in prp.leads:
        raise Refused(f"{inbound.sender} no longer leads an active “{prp.title}”")
    return reminder.user, prp, reminder


def _from_known_sender(inbound: Inbound) -> tuple[User, ResearchProject]:
    user = find_user_by_email(inbound.sender)
    if user is None or not user.active:
        raise Refused(f"unknown sender {inbound.sender}", EX_NOUSER)
    led = db.session.scalars(
        select(ResearchProject).join(research_project_leads)
        .where(research_project_leads.c.user_id == user.id, ResearchProject.status == ResearchStatus.ACTIVE)).all()
    if len(led) != 1:
        raise Refused(f"{inbound.sender} leads {len(led)} active research projects: reply to a reminder instead")
    return user, led[0]


def _stored_attachment(inbound: Inbound) -> files.StoredFile | None:
    if not inbound.attachments:
        return None
    name, content = inbound.attachments[0]
    try:
        return files.store_upload(FileStorage(io.BytesIO(content), filename=name))
    except files.FileRefused as refused:
        raise Refused(f"attachment {name!r} refused: {refused}") from None


def _submits(reminder: ResearchReminder | None, user: User, prp: ResearchProject, inbound: Inbound) -> bool:
    """Whether an emailed update is taken as submitted: a reply to a reminder, where the team chose so, with
    words in it, and only the first such reply: the tag lives in a Reply-To others may see (a forwarded
    reminder), so any further reply waits as a draft for its author to confirm."""
    if reminder is None or not prp.submit_emailed_replies or not inbound.text:
        return False
    return db.session.scalar(select(func.count()).select_from(ResearchUpdate).where(
        ResearchUpdate.author_id == user.id, ResearchUpdate.research_project_id == prp.id,
        ResearchUpdate.sent_by_email.is_(True), ResearchUpdate.status == UpdateStatus.SUBMITTED,
        ResearchUpdate.created_at >= reminder.sent_at)) == 0


@mail_received.connect
def file_emailed_update(inbound: Inbound) -> str | None:
    address = _update_address()
    if address is None:
        return None
    local, _, domain = inbound.recipient.rpartition("@")
    base, plus, tag = local.partition("+")
    if domain.lower() != address[1] or base.lower() != address[0]:
        return None
    reminder = None
    if plus:
        user, prp, reminder = _from_reply(tag, inbound)
    else:
        user, prp = _from_known_sender(inbound)
    project = db.session.get(Project, prp.project_id)
    if not can(user, project, Need.CONTRIBUTE):
        raise Refused(f"{user.email} may not add updates to this project any more")
    if not inbound.text and not inbound.attachments:
        raise Refused("the message is empty")
    if not plus and _recent_drafts(user) >= EMAILED_DRAFTS_PER_DAY:
        # The plain address trusts the From header, which anyone can write: a cap keeps forgeries few.
        raise Refused(f"{user.email} has {EMAILED_DRAFTS_PER_DAY} unfinished drafts from the last day already")
    stored = _stored_attachment(inbound)
    with files.kept_only_if_saved(stored):
        update = save_update(project, prp, None, {
            "update_date": local_date(utcnow(), project), "what_did": inbound.text[:TEXT_MAX], "what_changed": "",
            "changed_practice": False, "changed_team": False, "changed_families": False, "who_involved": "",
            "quote": "", "consent_to_quote": False, "pseudonym": ""},
            step_ids=[step.id for step in prp.steps], author=user, stored=stored,
            # An attachment alone says nothing of what was done: its author adds a few words first.
            submit=_submits(reminder, user, prp, inbound), by_email=True)
        db.session.commit()
    return f"filed a {update.status.value} update on \u201c{prp.title}\u201d from {user.email}"
