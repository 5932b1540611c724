"""The project home's step 5, for coding: answers waiting to be coded."""
from __future__ import annotations

from flask import url_for

from impact.coding.workbench import queue_counts
from impact.projects.dashboard import Line, Tone
from impact.projects.permissions import Need, may
from impact.text_filters import counted


def dashboard(project, linked: bool) -> dict:
    if not linked or not may(project, Need.EDIT):  # coding reads respondents' own words: the team's work
        return {}
    waiting, done = queue_counts(project)
    if not waiting and not done:
        return {}
    workbench = url_for("coding.workbench", project_id=project.id)
    if waiting:
        return {"dashboard": [Line(5, f"{counted(waiting, 'answer')} not yet coded ({done} coded).", workbench,
                                   Tone.TODO, "Code the answers")]}
    return {"dashboard": [Line(5, f"Every answer is coded ({done}).", workbench, Tone.DONE, "Code the answers")]}
