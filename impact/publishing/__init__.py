"""Published versions of the report: frozen, dated, and the only version of the project funders read."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need
    from impact.publishing import services
    from impact.publishing.routes import bp, portfolio_bp

    contributions.blueprints += [bp, portfolio_bp]
    contributions.project_nav.append(NavEntry("published", "Published reports", "publishing.index", 95,
                                              Need.VIEW_REPORT))
    contributions.add_to_page("projects.project", lambda project, linked: {"published": services.latest(project)})
    contributions.add_to_page("reports.for_report_readers", services.latest_data)
