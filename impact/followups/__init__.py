"""Emailed follow-ups of action cards, and the respondents' answers."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.followups.respond_routes import bp as respond
    from impact.followups.routes import bp
    from impact.followups.services import queue_due

    contributions.blueprints += [bp, respond]
    contributions.due_work.append(queue_due)
