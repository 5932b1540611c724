"""The demo project from the seed documents."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.demo.commands import demo_cli

    contributions.commands.append(demo_cli)
