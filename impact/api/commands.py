"""``flask tokens create EMAIL --name NAME``: a personal access token for the API, printed once."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from impact.api.models import NAME_MAX
from impact.api.tokens import create_token
from impact.auth.services import find_user_by_email
from impact.extensions import db

tokens_command = AppGroup("tokens", help="Personal access tokens for the JSON API.")


@tokens_command.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for (shown on the user's account page).")
def create(email: str, name: str) -> None:
    """Create a token for the user with EMAIL and print it (it is stored hashed: this is the only time it is shown)."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active account has the email {email}.")
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise click.ClickException(f"Give the token a name of 1 to {NAME_MAX} characters.")
    token, raw = create_token(user, name)
    db.session.commit()
    click.echo(raw)
    click.echo(f"Token {token.id} “{name}” for {user.email}. Keep it secret; it is not shown again.", err=True)
