"""Projects, their chain, their events and their report data."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select

from impact.api.auth import ApiBlueprint, token_only
from impact.api.pages import page_of_rows
from impact.api.schemas import IN_QUERY, ChainOut, EventOut, PageArgs, ProjectOut, ReportOut, page_of
from impact.errors import ApiError
from impact.events.models import Event
from impact.projects.permissions import Need, get_project_or_404, role_in, visible_projects_query
from impact.reports.services import NOT_PUBLISHED, report_response
from impact.toc.services import load_chain

bp = token_only(ApiBlueprint("api_projects", __name__, url_prefix="/api/v1/projects",
                          description="Projects the token's user may open, their results chain and report."))


def _project(project) -> dict:
    role = role_in(current_user, project.id)
    return {**{name: getattr(project, name) for name in (
        "id", "title", "question", "description", "programme", "funder", "start_date", "end_date",
        "contribution_tracing", "time_zone")}, "role": role.value if role is not None else None}


@bp.route("")
class Projects(MethodView):
    @bp.arguments(PageArgs, **IN_QUERY)
    @bp.response(200, page_of(ProjectOut, "ProjectPage"))
    def get(self, args):
        """The projects you may open, newest first."""
        return page_of_rows(visible_projects_query(), args, lambda rows: [_project(row) for row in rows])


@bp.route("/<int:project_id>")
class OneProject(MethodView):
    @bp.response(200, ProjectOut)
    def get(self, project_id: int):
        """One project (every member, funders included)."""
        return _project(get_project_or_404(project_id, Need.VIEW_REPORT))


@bp.route("/<int:project_id>/chain")
class Chain(MethodView):
    @bp.response(200, ChainOut)
    def get(self, project_id: int):
        """The results chain: levels, steps, links with their assumptions and risks, influencing factors."""
        chain = load_chain(get_project_or_404(project_id, Need.READ).id)
        return {
            "levels": chain.levels, "steps": chain.steps,
            "links": [{"id": link.id, "source_step_id": link.source_step_id, "target_step_id": link.target_step_id,
                       "note": link.note, "assumptions": chain.assumptions_by_link.get(link.id, [])}
                      for link in chain.links],
            "factors": [{"id": factor.id, "step_id": factor.step_id, "title": factor.title,
                         "description": factor.description, "direction": factor.direction,
                         "also_step_ids": chain.factor_steps.get(factor.id, [factor.step_id])[1:]}
                        for factor in chain.factors],
        }


@bp.route("/<int:project_id>/report")
class Report(MethodView):
    @bp.response(200, ReportOut)
    def get(self, project_id: int):
        """The report data (as report.json): for a funder, the latest published version only."""
        response = report_response(get_project_or_404(project_id, Need.VIEW_REPORT))
        if response is None:
            raise ApiError(404, NOT_PUBLISHED["code"], NOT_PUBLISHED["message"])
        return response


@bp.route("/<int:project_id>/events")
class Events(MethodView):
    @bp.arguments(PageArgs, **IN_QUERY)
    @bp.response(200, page_of(EventOut, "EventPage"))
    def get(self, args, project_id: int):
        """The project's events (seminars, workshops...), latest first: their ids are where cards go."""
        project = get_project_or_404(project_id, Need.READ)
        query = (select(Event).where(Event.project_id == project.id)
                 .order_by(Event.event_date.desc(), Event.id.desc()))
        return page_of_rows(query, args, lambda rows: [
            {"id": e.id, "kind": e.kind.value, "title": e.title, "event_date": e.event_date, "place": e.place}
            for e in rows])

