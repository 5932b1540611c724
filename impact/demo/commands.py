from __future__ import annotations

import click
from sqlalchemy import select
from flask.cli import AppGroup

from impact.demo import seed_data
from impact.demo.loader import load_demo
from impact.extensions import db
from impact.projects.models import Project

demo_cli = AppGroup("demo", help="The demo project from the seed.")


def print_logins() -> None:
    click.echo(f"Demo logins (password for all: {seed_data.DEMO_PASSWORD}):")
    for spec in seed_data.USERS:
        role = "site admin" if spec.get("admin") else spec["role"].replace("_", " ")
        click.echo(f"  {spec['email']:<32} {role}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no projects yet (used by `make run`).")
def load_command(if_empty: bool) -> None:
    """Create the demo project and demo users (safe to run again)."""
    if if_empty and db.session.scalar(select(Project.id).limit(1)) is not None:
        click.echo("The database already has projects: demo not loaded.")
        print_logins()
        return
    project, created = load_demo()
    db.session.commit()
    click.echo(f"{'Created' if created else 'Already present'}: demo project {project.title!r} (id {project.id}).")
    print_logins()


@demo_cli.command("logins")
def logins_command() -> None:
    """Print the demo logins."""
    print_logins()
