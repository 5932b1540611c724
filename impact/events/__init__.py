"""Events (seminars, workshops) and their attendance."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.events.routes import bp
    from impact.events.services import taking_part
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.blueprints.append(bp)
    contributions.add_to_page("evidence.voices", lambda project: taking_part(project.id))
    contributions.project_nav.append(NavEntry("events", "Events and action cards", "events.index", 30, Need.READ,
                                                       group="collect"))
