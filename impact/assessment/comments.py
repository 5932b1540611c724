"""Partners' comments on a step's assessment, and their dissent from it.

A practitioner or a co-researcher (anyone who may contribute) may record that they see a step otherwise
than the team's rating. The comment keeps the revision it was about and stays beside every later one,
shown to the team as they re-rate and in the story, so a new rating never silently drops it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from impact.assessment.models import AssessmentComment
from impact.extensions import db
from impact.projects.models import Project
from impact.projects.services import member_voice
from impact.toc.models import Step


def add_comment(project: Project, step: Step, user, *, text: str, dissent: bool, about_number: int
                ) -> AssessmentComment:
    comment = AssessmentComment(project_id=project.id, step_id=step.id, about_number=about_number, dissent=dissent,
                                text=text, author_id=user.id, partner_group=member_voice(project, user))
    db.session.add(comment)
    db.session.flush()
    return comment


def comments_on(step_ids: list[int]) -> dict[int, list[AssessmentComment]]:
    """The comments on each step's assessment, oldest first (one query)."""
    found: dict[int, list[AssessmentComment]] = {step_id: [] for step_id in step_ids}
    if step_ids:
        for comment in db.session.scalars(
            select(AssessmentComment).where(AssessmentComment.step_id.in_(step_ids))
            .order_by(AssessmentComment.created_at, AssessmentComment.id)
            .options(selectinload(AssessmentComment.author))
        ):
            found[comment.step_id].append(comment)
    return found
