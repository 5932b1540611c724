"""The codebook of helping and hindering themes, and coding responses to it."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.coding.routes import bp
    from impact.coding.services import coding_context
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.blueprints.append(bp)
    contributions.add_to_page("followups.response", coding_context)
    contributions.project_nav.append(NavEntry("codebook", "Themes in the answers", "coding.codebook", 65, Need.READ,
                                                       group="assess"))
