"""``flask cards import EVENT_ID FILE``: the spreadsheet import, for files too big to upload or for scripts."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from impact.cards import importer
from impact.concurrency import CONFLICT_ERRORS
from impact.events.models import Event
from impact.extensions import db

cards_cli = AppGroup("cards", help="Action cards.")


@cards_cli.command("import")
@click.argument("event_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(event_id: int, file: Path) -> None:
    """Import the action cards in FILE (.csv or .xlsx) into event EVENT_ID: every row or none."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"There is no event {event_id}.")
    with file.open("rb") as stream:
        try:
            result = importer.import_cards(event, file.name, stream)
        except importer.ImportRefused as refused:
            raise click.ClickException(f"{refused} Nothing was stored.") from None
        except (IntegrityError, *CONFLICT_ERRORS):
            db.session.rollback()
            raise click.ClickException("Someone changed this event's cards while the file was being imported, "
                                       "so nothing was stored. Run the import again.") from None
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            click.echo(f"Row {error.row}: {error.reason}", err=True)
        count = len(result.errors)
        raise click.ClickException(f"Nothing was stored: {count} row{'' if count == 1 else 's'} "
                                   f"need{'s' if count == 1 else ''} correcting.")
    db.session.commit()
    click.echo(f"{event.title}: {result.summary()}.")
