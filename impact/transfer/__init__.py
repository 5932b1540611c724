"""A whole project as one JSON document: exported by its leads or `flask export project`, imported back."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.transfer.commands import export_group, import_group
    from impact.transfer.routes import bp

    contributions.blueprints.append(bp)
    contributions.commands += [export_group, import_group]
