from __future__ import annotations

import click
from flask.cli import AppGroup

from impact.auth.services import AccountError, create_user
from impact.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as shown in the app.")
@click.option("--admin", is_flag=True, help="Make the user a site admin (manages users, sees every project).")
@click.password_option(help="Prompted for when not given.")
def create_user_command(email: str, name: str, admin: bool, password: str) -> None:
    """Create a user account, e.g. the first site admin."""
    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="password")
    try:
        user = create_user(email, name, password, is_admin=admin)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}user {user.email} (id {user.id}).")
