"""Times shown in the project's time zone; stored in UTC.

Every datetime the database holds is timezone-aware UTC (impact/model_types.py). A page shows it in
the time zone of the project it is about (``projects.time_zone``, an IANA name chosen in the
project's settings) and, on a page about no project (admin, outbox, account), in the site's
``DEFAULT_TIME_ZONE``. Registered on the app (register_template_helpers), so every template can use:

- ``value|local_time``: "1 Jul 2026 14:05 BST"; ``value|local_time("date")`` and the other names of
  FORMATS. A time of day always carries the zone's abbreviation, so a reader knows which clock it is.
  A plain ``date`` (an event's day) has no zone: it is only formatted, with a format without a time.

Which zone: the filter's ``zone`` (a name, or anything with a ``time_zone``: a project), else the
``project`` of the template's context, else the project this request is about (noted by
``use_zone_of_request``: macros imported without context and panels rendered by another part see
no ``project``), else DEFAULT_TIME_ZONE.

What someone types in a datetime-local input is a wall-clock time in the project's zone:
``wall_clock_to_utc`` turns it into the UTC stored, ``utc_to_wall_clock`` back for the input.
"""
from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context, has_request_context, request
from jinja2 import pass_context
from jinja2.runtime import Context

FORMATS = {
    "date": "%-d %b %Y",  # 1 Jul 2026
    "long_date": "%-d %B %Y",  # 1 July 2026
    "day": "%-d %b",  # 1 Jul (in a table whose year is plain)
    "datetime": "%-d %b %Y %H:%M %Z",  # 1 Jul 2026 14:05 BST
    "long_datetime": "%-d %B %Y at %H:%M %Z",  # 1 July 2026 at 14:05 BST
    "time": "%H:%M %Z",  # 14:05 BST
    "iso": "%Y-%m-%d %H:%M %Z",  # 2026-07-01 14:05 BST (the admin's tables, sorted by eye)
    "iso_date": "%Y-%m-%d",
}
_DATE_ONLY = {"date", "long_date", "day", "iso_date"}

FALLBACK_ZONE = "Europe/London"  # the column's server default, and the setting's
# The regions of the IANA database: the select leaves out the old aliases ("GB", "US/Eastern", "Etc/GMT+5",
# whose sign is the reverse of what it reads), which name the same clocks; they stay valid if a file holds one.
_REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
            "Indian/", "Pacific/")


@functools.cache
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in _available()


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones offered in a select: every place of the IANA database, and UTC."""
    return ("UTC", *sorted(name for name in _available() if name.startswith(_REGIONS)))


def zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    names = zone_names()
    if current and current not in names and is_zone(current):
        names = (current, *names)  # an alias an import brought keeps its place until someone changes it
    return [(name, name.replace("_", " ")) for name in names]


def site_zone_name() -> str:
    return current_app.config.get("DEFAULT_TIME_ZONE", FALLBACK_ZONE) if has_app_context() else FALLBACK_ZONE


def check_setting(name: str) -> None:
    """Refuse to start with a DEFAULT_TIME_ZONE that is not a zone (every page without a project needs it)."""
    if not is_zone(name):
        raise RuntimeError(f"DEFAULT_TIME_ZONE {name!r} is not an IANA time zone (for example Europe/London); "
                           "is the system's time zone database (Debian's tzdata) installed?")


_REQUEST_ZONE = "impact.time_zone"


def use_zone_of_request(name: str) -> None:
    """Note the zone of the project this request is about, for templates whose context names no project.

    Kept in the request's environ rather than in g: one app context may serve several requests (a
    test's), and a page about no project must not take the zone of the request before it."""
    if has_request_context():
        request.environ[_REQUEST_ZONE] = name


def _name_of(zone: object) -> str | None:
    if isinstance(zone, str):
        return zone or None
    if isinstance(zone, Mapping):
        return zone.get("time_zone")
    return getattr(zone, "time_zone", None)


def zone_of(zone: object = None) -> zoneinfo.ZoneInfo:
    """The zone a name or a project gives; the request's project's, or the site's, when it gives none."""
    name = _name_of(zone)
    if name is None and has_request_context():
        name = request.environ.get(_REQUEST_ZONE)
    return zoneinfo.ZoneInfo(name if is_zone(name) else site_zone_name())


def format_local(value: dt.date | dt.datetime | None, format: str = "datetime", zone: object = None) -> str:
    """``value`` in ``zone`` (see zone_of), written as FORMATS[format]; "" for None."""
    if value is None:
        return ""
    pattern = FORMATS[format]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are timezone-aware UTC")
        return value.astimezone(zone_of(zone)).strftime(pattern)
    if format not in _DATE_ONLY:
        raise ValueError(f"a date has no time of day: format it as one of {', '.join(sorted(_DATE_ONLY))}")
    return value.strftime(pattern)


def local_date(value: dt.datetime, zone: object = None) -> dt.date:
    """The day a time falls on in the zone (what a reader calls "that day")."""
    return value.astimezone(zone_of(zone)).date()


def today(zone: object = None) -> dt.date:
    """Today on the project's clock (see zone_of): a form's default date just after midnight in a London
    summer is already tomorrow's date in UTC's terms, and would read as yesterday here."""
    return local_date(dt.datetime.now(dt.UTC), zone)


class NonexistentTime(ValueError):
    """A wall-clock time the zone skips (the hour the clocks go forward)."""


def wall_clock_to_utc(wall: dt.datetime, zone: object = None) -> dt.datetime:
    """What someone typed (a naive datetime, on the zone's clock) as the aware UTC time stored.

    A time the clocks go back over happens twice: the first is meant. One they skip does not
    happen at all, and is refused rather than moved by an hour behind the person's back.
    """
    tz = zone_of(zone)
    utc = wall.replace(tzinfo=tz).astimezone(dt.UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise NonexistentTime(f"{wall:%H:%M} on {wall:%-d %B %Y} does not exist in {tz.key}: the clocks go "
                              "forward then. Choose a time an hour later.")
    return utc


def utc_to_wall_clock(value: dt.datetime | None, zone: object = None) -> dt.datetime | None:
    """A stored time as a datetime-local input shows it: naive, on the zone's clock."""
    return value.astimezone(zone_of(zone)).replace(tzinfo=None) if value is not None else None


@pass_context
def local_time(context: Context, value: dt.date | dt.datetime | None, format: str = "datetime",
               zone: Any = None) -> str:
    return format_local(value, format, zone if zone is not None else context.get("project"))


FILTERS = {"local_time": local_time}
