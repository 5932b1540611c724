"""Step-by-step assessment of progress and confidence, and the project's evidence standards."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.assessment.routes import bp
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.blueprints.append(bp)
    contributions.project_nav.append(NavEntry("assessment", "Assessment", "assessment.overview", 60, Need.READ))
