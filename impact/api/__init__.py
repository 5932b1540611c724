"""The JSON API (/api/v1/): personal access tokens, the read and write endpoints, and their OpenAPI document."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.api.account_routes import account_panel, bp
    from impact.api.commands import tokens_command
    from impact.api.spec import init_api

    contributions.blueprints.append(bp)
    contributions.commands.append(tokens_command)
    contributions.app_setup.append(init_api)
    contributions.add_to_page("auth.account", account_panel)
