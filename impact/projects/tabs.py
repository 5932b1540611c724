"""A project's tabs: what each part registers (impact/features.py), as this viewer may see them."""
from __future__ import annotations

from flask import current_app

from impact.features import NavEntry
from impact.projects.permissions import may


def project_tabs(project) -> list[NavEntry]:
    return [entry for entry in current_app.extensions["impact.parts"].project_nav
            if (entry.need is None or may(project, entry.need)) and (entry.shown is None or entry.shown(project))]


def shell_shaped_by(project=None, **_) -> tuple:
    """What a cached page's shell shows of its project: the title and this viewer's tabs."""
    if project is None:
        return ()
    return project.id, project.title, tuple(entry.key for entry in project_tabs(project))
