"""Practitioner research projects (PRPs) and their updates: read them, and send an update."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from impact.access import get_or_404
from impact.api.auth import ApiBlueprint, token_only
from impact.api.pages import page_of_rows
from impact.api.schemas import IN_QUERY, PageArgs, ResearchProjectOut, UpdateIn, UpdateOut, page_of
from impact.errors import ApiError
from impact.extensions import db
from impact.projects.models import Project
from impact.projects.permissions import Need, get_project_or_404
from impact.research import services
from impact.research.models import ResearchProject, ResearchUpdate
from impact.toc.models import Step

bp = token_only(ApiBlueprint("api_research", __name__,
                          url_prefix="/api/v1/projects/<int:project_id>/practitioner-projects",
                          description="Practitioner research projects and the updates their practitioners send."))


def _update(update: ResearchUpdate) -> dict:
    own = update.author_id is not None and update.author_id == current_user.id
    return {
        **{name: getattr(update, name) for name in (
            "id", "status", "update_date", "partner_group", "what_did", "what_changed", "changed_practice",
            "changed_team", "changed_families", "who_involved", "consent_to_quote", "submitted_at",
            "evidence_item_id")},
        # Words without consent to quote them are for their author alone.
        "quote": update.quote if update.consent_to_quote or own else None,
        "pseudonym": update.pseudonym if update.consent_to_quote or own else "",
        "step_ids": [step.id for step in update.steps],
    }


def _prp(project_id: int, prp_id: int, need: Need) -> tuple[Project, ResearchProject]:
    project = get_project_or_404(project_id, need)
    return project, get_or_404(ResearchProject, prp_id, project_id=project.id)


@bp.route("")
class ResearchProjects(MethodView):
    @bp.arguments(PageArgs, **IN_QUERY)
    @bp.response(200, page_of(ResearchProjectOut, "ResearchProjectPage"))
    def get(self, args, project_id: int):
        """The project's PRPs, active ones first, with how many updates each has had."""
        project = get_project_or_404(project_id, Need.READ)
        counts = services.update_counts(project)
        return page_of_rows(services.research_projects_query(project), args, lambda rows: [{
            **{name: getattr(prp, name) for name in (
                "id", "title", "local_authority", "status", "started_on", "ended_on", "aims")},
            "step_ids": [step.id for step in prp.steps], "updates": counts.get(prp.id, 0)} for prp in rows])


@bp.route("/<int:prp_id>/updates")
class Updates(MethodView):
    @bp.arguments(PageArgs, **IN_QUERY)
    @bp.response(200, page_of(UpdateOut, "UpdatePage"))
    def get(self, args, project_id: int, prp_id: int):
        """The PRP's submitted updates and your own drafts, latest first."""
        _, prp = _prp(project_id, prp_id, Need.READ)
        return page_of_rows(services.updates_query(prp, current_user), args,
                            lambda rows: [_update(row) for row in rows])

    @bp.arguments(UpdateIn)
    @bp.response(201, UpdateOut)
    def post(self, values, project_id: int, prp_id: int):
        """Send an update in your own name (submitted, unless ``submit`` is false: then your draft)."""
        project, prp = _prp(project_id, prp_id, Need.CONTRIBUTE)
        step_ids = values.pop("step_ids") or [step.id for step in prp.steps]
        known = set(db.session.scalars(select(Step.id).where(Step.project_id == project.id, Step.id.in_(step_ids))))
        if unknown := [step_id for step_id in step_ids if step_id not in known]:
            message = f"Not steps of this project: {', '.join(map(str, unknown))}."
            raise ApiError.invalid("step_ids", message)
        submit = values.pop("submit")
        try:
            update = services.save_update(project, prp, None, values, step_ids=step_ids, author=current_user,
                                          submit=submit)
        except services.UpdateError as problem:
            db.session.rollback()
            raise ApiError.invalid(problem.field, str(problem)) from None
        db.session.commit()
        return _update(update)
