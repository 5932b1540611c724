"""Recording each run of the background work, and reading it back for the pages that warn."""
from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from impact.extensions import db
from impact.jobs.models import WHOLE_RUN, JobRun
from impact.model_types import utcnow

# A run every minute from cron, or every 30 s as a service: far longer than this means nothing runs.
QUIET_AFTER = dt.timedelta(minutes=15)
MAX_ERROR = 20_000


def _row(name: str) -> JobRun:
    row = db.session.get(JobRun, name)
    if row is None:
        row = JobRun(name=name)
        db.session.add(row)
    return row


def _save(name: str, change) -> None:
    """Apply change(row) to the named row and commit; two workers creating it at once is no error.

    Keeping the record must never stop the work itself: if the database refuses (locked, say),
    the run goes on and says so, and the work then reports its own failure if it has one.
    """
    for _ in range(2):
        try:
            change(_row(name))
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()  # another worker inserted the row first: update it instead
        except SQLAlchemyError as exc:
            db.session.rollback()
            click.echo(f"Could not record how {name!r} went: {type(exc).__name__}: {exc}", err=True)
            return


def started(name: str) -> dt.datetime:
    now = utcnow()

    def change(row: JobRun) -> None:
        row.last_started_at = now

    _save(name, change)
    return now


def finished(name: str, *, ok: bool, counts: dict | None = None, error: str = "") -> None:
    now = utcnow()

    def change(row: JobRun) -> None:
        row.last_finished_at = now
        if ok:
            row.last_succeeded_at, row.failures, row.last_counts = now, 0, dict(counts or {})
        else:
            row.last_failed_at, row.failures = now, (row.failures or 0) + 1
            row.last_error = error[-MAX_ERROR:]

    _save(name, change)


def runs() -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.name)))


def last_run(name: str = WHOLE_RUN) -> JobRun | None:
    return db.session.get(JobRun, name)


def is_quiet(run: JobRun | None, now: dt.datetime | None = None) -> bool:
    """Background work has never run, or not for a long while."""
    return run is None or run.last_started_at is None or run.last_started_at < (now or utcnow()) - QUIET_AFTER
