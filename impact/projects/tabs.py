"""A project's tabs: what each part registers (impact/features.py), as this viewer may see them."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user

from impact.features import NAV_GROUPS, NavEntry
from impact.projects.permissions import may, role_in


def project_tabs(project) -> list[NavEntry]:
    return [entry for entry in current_app.extensions["impact.parts"].project_nav
            if (entry.need is None or may(project, entry.need)) and (entry.shown is None or entry.shown(project))]


def project_tab_groups(project) -> list[tuple[str, list[NavEntry]]]:
    """The viewer's tabs by the work they belong to, in NAV_GROUPS order, leaving out empty groups."""
    tabs = project_tabs(project)
    grouped = [(label, [entry for entry in tabs if entry.group == group]) for group, label in NAV_GROUPS.items()]
    return [(label, entries) for label, entries in grouped if entries]


def shell_shaped_by(project=None, **_) -> tuple:
    """What a cached page's shell shows of its project: the title and this viewer's tabs, which follow
    from the project's row (its change stamp moves with every write to it) and the viewer's role in it.
    Named by those, not worked out: asking for each tab was a tenth of a page served from the cache."""
    if project is None:
        return ()
    role = role_in(current_user._get_current_object(), project.id)
    return project.id, project.change_stamp, role.value if role is not None else None
