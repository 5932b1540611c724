from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from impact.extensions import db
from impact.projects.models import Project
from impact.reports.services import report_data


@click.command("report")
@click.argument("project_id", type=int)
@with_appcontext
def report_command(project_id: int) -> None:
    """Print a project's report data as JSON (the same as /projects/<id>/report.json)."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise click.ClickException(f"There is no project {project_id}.")
    click.echo(json.dumps(report_data(project), indent=2, ensure_ascii=False))
