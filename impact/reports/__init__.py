"""The report data (report.json and ``flask report``), and the project's data as CSV and XLSX files."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import NavEntry
    from impact.projects.permissions import Need
    from impact.reports.commands import report_command
    from impact.reports.routes import bp

    contributions.blueprints.append(bp)
    contributions.commands.append(report_command)
    contributions.project_nav.append(NavEntry("data", "Data and downloads", "reports.data_index", 97, Need.EDIT,
                                                       group="report"))
