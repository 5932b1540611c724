"""Step-by-step assessment of progress and confidence, and the project's evidence standards."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.assessment.dashboard import dashboard
    from impact.assessment.queries import link_page, step_page
    from impact.assessment.routes import bp
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.add_to_page("projects.project", dashboard)
    contributions.blueprints.append(bp)
    contributions.add_to_page("toc.step", lambda project_id, step_id, factor_ids: step_page(project_id, step_id,
                                                                                          factor_ids))
    contributions.add_to_page("toc.link", lambda project_id, link_id, assumption_ids: link_page(
        project_id, link_id, assumption_ids))
    contributions.project_nav.append(NavEntry("assessment", "Assess the steps", "assessment.overview", 60, Need.READ,
                                                       group="assess"))
