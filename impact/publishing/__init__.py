"""Published versions of the report: frozen, dated, and the only version of the project funders read."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.change_counters import count_changes_of
    from impact.features import NavEntry
    from impact.projects.models import Membership, PartnerOrganisation, Project
    from impact.projects.permissions import Need
    from impact.publishing import services
    from impact.publishing.dashboard import dashboard
    from impact.publishing.models import PublishedFactor, PublishedReport
    from impact.publishing.routes import bp, portfolio_bp

    contributions.blueprints += [bp, portfolio_bp]
    contributions.project_nav.append(NavEntry("published", "Published reports", "publishing.index", 95,
                                              Need.VIEW_REPORT, group="report"))
    contributions.add_to_page("projects.project", dashboard)
    contributions.add_to_page("reports.for_report_readers", services.latest_data)
    # What a portfolio is made of: it is kept under this count (impact/page_cache.py).
    count_changes_of("portfolio", Project, Membership, PartnerOrganisation, PublishedReport, PublishedFactor)
