"""The project home's step 5, for coding: answers waiting to be coded."""
from __future__ import annotations

from flask import url_for

from impact.coding import updates
from impact.coding.workbench import queue_counts
from impact.projects.dashboard import Line, Tone
from impact.projects.permissions import Need, may
from impact.text_filters import counted


def dashboard(project, linked: bool) -> dict:
    if not linked or not may(project, Need.EDIT):  # coding reads respondents' own words: the team's work
        return {}
    waiting, done = queue_counts(project)
    waiting_updates, done_updates = updates.queue_counts(project)
    if not (waiting or done or waiting_updates or done_updates):
        return {}
    workbench = url_for("coding.workbench", project_id=project.id)
    if waiting or waiting_updates:
        left = " and ".join(text for count, text in ((waiting, counted(waiting, "answer")),
                                                       (waiting_updates, counted(waiting_updates, "update"))) if count)
        return {"dashboard": [Line(5, f"{left} not yet coded ({done + done_updates} coded).", workbench, Tone.TODO,
                                   "Code the answers")]}
    return {"dashboard": [Line(5, f"Every answer and update is coded ({done + done_updates}).", workbench, Tone.DONE,
                               "Code the answers")]}
