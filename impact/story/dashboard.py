"""The project home's step 6 (revise and strengthen the story): the conclusion."""
from __future__ import annotations

from flask import url_for

from impact.extensions import db
from impact.local_time import format_local
from impact.projects.dashboard import Line, Tone
from impact.projects.permissions import Need, may
from impact.story.models import Story


def dashboard(project, linked: bool) -> dict:
    if not linked:
        return {}
    story = db.session.get(Story, project.id)
    written = url_for("story.show", project_id=project.id)
    if story is None or not story.conclusion.strip():
        if not may(project, Need.EDIT):
            return {"dashboard": [Line(6, "No conclusion written yet.", written, link_text="Contribution story")]}
        return {"dashboard": [Line(6, "No conclusion written yet: what does the evidence say, and how sure are you?",
                                   url_for("story.edit_conclusion", project_id=project.id), Tone.TODO,
                                   "Write the conclusion")]}
    when = f", last changed on {format_local(story.updated_at, 'date', project)}" if story.updated_at else ""
    return {"dashboard": [Line(6, f"The conclusion is written{when}.", written, link_text="Contribution story")]}
