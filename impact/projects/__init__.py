"""Projects, their partners and members, invitations, and who may do what in them."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.change_counters import count_changes_of
    from impact.features import NavEntry
    from impact.projects import conditional, stamps  # noqa: F401  (advances, at every flush, the stamp of what changed)
    from impact.projects.invitation_routes import bp as invitations
    from impact.projects.models import Membership, Project
    from impact.projects.permissions import Need, may
    from impact.projects.routes import LISTED, bp
    from impact.projects.tabs import project_tab_groups, shell_shaped_by

    contributions.blueprints += [bp, invitations]
    contributions.template_globals.update(may=may, Need=Need, project_tab_groups=project_tab_groups)
    contributions.shell_parts.append(shell_shaped_by)
    count_changes_of(LISTED, Project, Membership)
    contributions.app_setup.append(conditional.register)
    contributions.project_nav += [
        NavEntry("overview", "Overview", "projects.project", 0),
        NavEntry("members", "Members", "projects.members", 1, Need.MANAGE),
        NavEntry("settings", "Settings", "projects.edit_project", 2, Need.MANAGE),
    ]
