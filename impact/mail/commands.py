from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from impact.mail.outbox import deliver_due, smtp_configured

jobs_cli = AppGroup("jobs", help="Background work: deliver the email outbox.")


@jobs_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running, doing due work every --interval seconds.")
@click.option("--interval", default=30, show_default=True, help="Seconds between runs with --loop.")
def run_jobs(loop: bool, interval: int) -> None:
    """Do all due background work once (safe from cron and as several processes)."""
    while True:
        if not smtp_configured():
            click.echo("MAIL_SERVER is not set: messages stay in the outbox (readable in the app).")
        else:
            counts = deliver_due()
            click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
        if not loop:
            break
        time.sleep(interval)
