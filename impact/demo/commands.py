from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

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
@click.option("--allow-production", is_flag=True,
              help="Load it into a production database too (its accounts all share a published password).")
def load_command(if_empty: bool, allow_production: bool) -> None:
    """Create the demo project and demo users (safe to run again)."""
    if current_app.config["ENVIRONMENT"] == "production" and not allow_production:
        # Every demo account's password is in the README: on a live site anyone could log in as them.
        raise click.ClickException("This is a production site (IMPACT_ENV is not development), and the demo's "
                                   "accounts all have a published password. Nothing was loaded. Add "
                                   "--allow-production if you really want it here.")
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
