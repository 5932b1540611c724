"""The evidence library, its files, and evidence links to the chain."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.evidence import quote_changes  # noqa: F401  (counts, at every flush, what can show a quote)
    from impact.evidence.dashboard import dashboard
    from impact.evidence.files import sweep_unused_files
    from impact.evidence.link_routes import bp
    from impact.evidence.routes import bp as library
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.add_to_page("projects.project", dashboard)
    contributions.blueprints += [bp, library]
    contributions.due_work.append(sweep_unused_files)
    contributions.project_nav += [NavEntry("evidence", "Evidence", "evidence.index", 40, Need.READ, group="collect"),
                                  NavEntry("mine", "My contributions", "evidence.mine", 45, Need.CONTRIBUTE,
                                           group="collect")]
