"""Bayesian contribution tracing on contribution claims."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need, may
    from impact.tracing.routes import bp
    from impact.tracing.services import citations_panel, claims_citing

    contributions.blueprints.append(bp)
    contributions.add_to_page("evidence.delete", citations_panel)
    contributions.add_to_page("evidence.mine", claims_citing)
    contributions.add_to_page("research.show", claims_citing)
    # Offered to leads while the project has not switched it on, so they can.
    contributions.project_nav.append(NavEntry(
        "tracing", "Test the claims", "tracing.index", 80, Need.READ,
        shown=lambda project: project.contribution_tracing or may(project, Need.MANAGE), group="assess"))
