"""The codebook of helping and hindering themes, and coding responses to it."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.coding import workbench_routes  # noqa: F401 (its routes join the blueprint)
    from impact.coding.dashboard import dashboard
    from impact.coding.routes import bp
    from impact.coding.services import coding_context
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.blueprints.append(bp)
    contributions.add_to_page("followups.response", coding_context)
    contributions.add_to_page("projects.project", dashboard)
    contributions.project_nav.append(NavEntry("coding", "Code the answers", "coding.workbench", 64, Need.EDIT,
                                              group="assess"))
    contributions.project_nav.append(NavEntry("codebook", "Themes in the answers", "coding.codebook", 65, Need.READ,
                                                       group="assess"))
