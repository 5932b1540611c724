"""The theory of change: levels, steps, links, assumptions, factors, revisions, the trash."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need
    from impact.toc.routes import bp
    from impact.toc.views import overview

    contributions.blueprints.append(bp)
    contributions.add_to_page("projects.project", overview)
    contributions.project_nav += [NavEntry("chain", "Theory of change", "toc.chain", 10, Need.READ, group="plan"),
                                  NavEntry("revisions", "Revisions", "toc.revision_list", 20, Need.READ, group="plan")]
