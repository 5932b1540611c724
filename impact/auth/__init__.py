"""Accounts, login sessions and password resets."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.auth.commands import users_cli
    from impact.auth.routes import bp
    from impact.auth.services import purge_old_sessions

    contributions.blueprints.append(bp)
    contributions.commands.append(users_cli)
    contributions.due_work.append(purge_old_sessions)
