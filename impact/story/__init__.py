"""The contribution story, its snapshots, and the gaps where evidence is needed."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need
    from impact.story import receivers  # noqa: F401 (connects them)
    from impact.story.dashboard import dashboard
    from impact.story.routes import bp

    contributions.blueprints.append(bp)
    contributions.add_to_page("projects.project", dashboard)
    contributions.project_nav += [NavEntry("gaps", "What evidence is missing", "story.gaps", 70, Need.READ,
                                           group="assess"),
                                  NavEntry("story", "Contribution story", "story.show", 90, Need.READ, group="report")]
