"""``flask jobs run``: due background work, then delivery of the email outbox."""
from __future__ import annotations

import signal
import sys
import time
import traceback
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from impact.extensions import db
from impact.jobs import health
from impact.jobs.models import WHOLE_RUN
from impact.mail.outbox import deliver_due, smtp_configured

jobs_cli = AppGroup("jobs", help="Background work: queue due emails and deliver the outbox.")

def due_work() -> list[Callable[[], dict[str, int]]]:
    """The work the parts of the app registered (impact/features.py), in their order.

    Each function commits its own work and returns counts to print; they run before delivery,
    so what they queue goes out in the same run.
    """
    return current_app.extensions["impact.parts"].due_work


class _StopRequest:
    """Turns SIGTERM/SIGINT into a request to stop after the message in hand.

    A second signal of the same kind gets the default behaviour, so a stuck worker can
    still be stopped at once (leaving at most that one message SENDING, shown as uncertain).
    """

    def __init__(self):
        self.requested = False
        self.signal_name = ""
        self._previous: dict[int, object] = {}

    def __call__(self) -> bool:
        return self.requested

    def _handle(self, signum, frame) -> None:
        # Only flags are set here: printing from a handler can collide with the main thread's output.
        self.requested = True
        self.signal_name = signal.Signals(signum).name
        signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))

    def __enter__(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def sleep(self, seconds: float) -> None:
        # Short naps, as time.sleep resumes after a signal handler returns (PEP 475).
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))


def _run(name: str, fn: Callable[[], dict[str, int]]) -> bool:
    """Run one piece of work, print its counts and record how it went; False (after reporting) if it raised."""
    health.started(name)
    try:
        counts = fn()
    except Exception:  # noqa: BLE001 - one broken feature must not stop the others or delivery
        db.session.rollback()
        error = traceback.format_exc()
        click.echo(f"{name} failed:\n{error}", err=True)
        health.finished(name, ok=False, error=error)
        return False
    click.echo(f"{name}: " + ", ".join(f"{key}: {value}" for key, value in counts.items()))
    health.finished(name, ok=True, counts=counts)
    return True


def run_once(stop: Callable[[], bool] = lambda: False) -> bool:
    """Due work, then delivery; True if everything ran without an error. Site admins see the record."""
    health.started(WHOLE_RUN)
    ok = _run_pieces(stop)
    health.finished(WHOLE_RUN, ok=ok, error="" if ok else "One or more pieces of work failed: see below.")
    return ok


def _run_pieces(stop: Callable[[], bool]) -> bool:
    ok = True
    for fn in due_work():
        if stop():
            return ok
        ok = _run(getattr(fn, "__name__", "due work"), fn) and ok
    if stop():
        return ok
    if not smtp_configured():
        click.echo("MAIL_SERVER is not set: messages stay in the outbox (readable in the app).")
        return ok
    return _run("outbox", lambda: deliver_due(should_stop=stop)) and ok


@jobs_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running, doing due work every --interval seconds.")
@click.option("--interval", default=30, show_default=True, help="Seconds between runs with --loop.")
def run_jobs(loop: bool, interval: int) -> None:
    """Do all due background work (safe from cron and as several processes at once).

    SIGTERM or Ctrl+C stops it after the message in hand, which is recorded first.
    """
    ok = True
    with _StopRequest() as stop:
        while not stop():
            ok = run_once(stop) and ok
            if not loop:
                break
            stop.sleep(interval)
    if stop():
        click.echo(f"Stopped on {stop.signal_name}, after finishing the message in hand.")
    # In a single run a failure shows in the exit status (cron mails it); a loop keeps
    # going and has printed each failure as it came.
    if not ok and not loop:
        sys.exit(1)
