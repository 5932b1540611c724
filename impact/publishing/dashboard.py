"""The project home's step 6, for publishing: the version funders read, and the link to it."""
from __future__ import annotations

from flask import url_for

from impact.local_time import format_local
from impact.projects.dashboard import Line, Tone
from impact.projects.permissions import Need, may
from impact.publishing import services


def dashboard(project, linked: bool) -> dict:
    published = services.latest(project)
    if not linked:
        return {"published": published}
    index = url_for("publishing.index", project_id=project.id)
    if published is None:
        line = Line(6, "Nothing published for the funder yet.", index if may(project, Need.MANAGE) else None,
                    Tone.TODO, "Published reports")
    else:
        when = format_local(published.published_at, "date", project)
        line = Line(6, f"Version {published.number}, “{published.name}”, published on {when}: the funder reads "
                       "this one.", index, link_text="Published reports")
    return {"published": published, "dashboard": [line]}
