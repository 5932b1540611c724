"""The parts of the app plug into the core by saying what they contribute; the core names none of them.

Each part is a package with a ``register(contributions)`` function in its ``__init__.py``; its
models module, if it has one, is imported so its tables join the metadata. Adding a feature is
its folder and one line in PARTS. The order of PARTS is the order of their contributions
(background work runs in it; navigation entries carry their own position).
"""
from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app

PARTS = (
    "impact.mail", "impact.jobs", "impact.charts",  # core parts that have pages and commands of their own
    "impact.auth", "impact.projects", "impact.toc",  # the foundation every feature is built on
    "impact.admin", "impact.events", "impact.cards", "impact.followups", "impact.coding", "impact.evidence",
    "impact.assessment", "impact.tracing", "impact.research", "impact.meetings", "impact.story", "impact.reports",
    "impact.publishing", "impact.transfer", "impact.api",
    "impact.demo",
)


# The work a project's tabs are grouped by, in the order it is done (Mayne's steps, in plain words);
# a tab names its group. The project's own tabs (its overview, members, settings) come first, unlabelled.
NAV_GROUPS = {"project": "", "plan": "Plan", "collect": "Collect", "assess": "Assess", "report": "Report"}


@dataclass(frozen=True)
class NavEntry:
    """A tab of a project's navigation. ``need`` is what the viewer must be allowed (None: anyone who may
    open the project); ``shown(project)`` can hide it further (a project that does not use a feature);
    ``group`` is one of NAV_GROUPS."""

    key: str  # what a page names as its active tab
    label: str
    endpoint: str
    position: int
    need: Any = None
    shown: Callable[[Any], bool] | None = None
    group: str = "project"

    def __post_init__(self) -> None:
        if self.group not in NAV_GROUPS:
            raise ValueError(f"tab {self.key}: group {self.group!r} is not one of {sorted(NAV_GROUPS)}")


@dataclass(frozen=True)
class LargeUpload:
    """A form taking files larger than MAX_CONTENT_LENGTH: the setting with its limit, and who may send one
    (asked with the URL's view arguments, before the body is read)."""

    setting: str
    allowed: Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class SiteLink:
    """A link in the site header for site admins (Users, Outbox...)."""

    label: str
    endpoint: str
    position: int


@dataclass
class Contributions:
    blueprints: list[Blueprint] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    due_work: list[Callable[[], dict[str, int]]] = field(default_factory=list)
    project_nav: list[NavEntry] = field(default_factory=list)
    admin_links: list[SiteLink] = field(default_factory=list)
    template_globals: dict[str, Any] = field(default_factory=dict)
    # A page of one part that shows what others know (the step page shows assessments): the page
    # names itself, and each part that adds to it gives a function returning template context.
    page_context: dict[str, list[Callable[..., dict[str, Any]]]] = field(default_factory=dict)
    # Views that take files larger than MAX_CONTENT_LENGTH, by endpoint.
    large_uploads: dict[str, LargeUpload] = field(default_factory=dict)
    # What shapes the shell of a cached page (impact/page_cache.py) besides the viewer and the page's
    # title: each is called with the shell's arguments and returns something comparable (a tuple).
    shell_parts: list[Callable[..., Any]] = field(default_factory=list)
    # A part that needs the app itself (an extension of its own, such as the API's), called once it exists.
    app_setup: list[Callable[[Flask], None]] = field(default_factory=list)

    def add_to_page(self, page: str, fn: Callable[..., dict[str, Any]]) -> None:
        self.page_context.setdefault(page, []).append(fn)


def page_context(page: str, **about) -> dict[str, Any]:
    """What the parts add to this page's template context, given what the page is about."""
    context: dict[str, Any] = {}
    for fn in current_app.extensions["impact.parts"].page_context.get(page, []):
        for key, value in fn(**about).items():
            # Lists (panels several parts add to one page) add up; anything else is one part's own.
            if isinstance(value, list) and isinstance(context.get(key), list):
                context[key] = context[key] + value
            else:
                context[key] = value
    return context


def load_parts(parts: tuple[str, ...] = PARTS) -> Contributions:
    """Import every part (its models first, so every table is on the metadata) and collect what it registers."""
    contributions = Contributions()
    for name in parts:
        if importlib.util.find_spec(f"{name}.models") is not None:
            importlib.import_module(f"{name}.models")
    for name in parts:
        register = getattr(importlib.import_module(name), "register", None)
        if register is not None:
            register(contributions)
    contributions.project_nav.sort(key=lambda entry: entry.position)
    contributions.admin_links.sort(key=lambda link: link.position)
    return contributions


def install(app: Flask, contributions: Contributions) -> None:
    for blueprint in contributions.blueprints:
        app.register_blueprint(blueprint)
    for command in contributions.commands:
        app.cli.add_command(command)
    app.jinja_env.globals.update(contributions.template_globals, admin_links=contributions.admin_links)
    app.extensions["impact.parts"] = contributions
    app.extensions["impact.large_uploads"] = contributions.large_uploads
    for setup in contributions.app_setup:
        setup(app)
