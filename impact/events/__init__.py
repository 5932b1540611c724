"""Events (seminars, workshops) and their attendance."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.events.routes import bp
    from impact.features import NavEntry
    from impact.projects.permissions import Need

    contributions.blueprints.append(bp)
    contributions.project_nav.append(NavEntry("events", "Events and cards", "events.index", 30, Need.READ))
