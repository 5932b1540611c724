"""The report data: report.json and ``flask report``."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.reports.commands import report_command
    from impact.reports.routes import bp

    contributions.blueprints.append(bp)
    contributions.commands.append(report_command)
