"""`flask export project` and `flask import project`: a whole project as one JSON file, and back."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from impact.extensions import db
from impact.projects.models import Project
from impact.transfer.document import ImportRefused, export_project, import_project

export_group = click.Group("export", help="Export data as files.")
import_group = click.Group("import", help="Import data from files.")


@export_group.command("project")
@click.argument("project_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@with_appcontext
def export_command(project_id: int, output: str | None) -> None:
    """Write one whole project as JSON (format impact-project, version 1)."""
    if db.session.get(Project, project_id) is None:
        raise click.ClickException(f"There is no project {project_id}.")
    text = json.dumps(export_project(project_id), ensure_ascii=False, indent=1)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"Exported project {project_id} to {output}.", err=True)
    else:
        sys.stdout.write(text + "\n")


@import_group.command("project")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path: str) -> None:
    """Store the project a `flask export project` file holds, under its own ids (all of it, or nothing)."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise click.ClickException(f"{path} is not a JSON file: {problem}") from None
    try:
        project_id = import_project(document)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported: {refused}") from None
    click.echo(f"Imported project {project_id} “{db.session.get(Project, project_id).title}”.")
