"""The project's home: Mayne's six steps of contribution analysis, each with where the project stands and
the next thing to do, and the charts the team looks at most.

The steps are the project's own frame; the parts fill them. A part contributes to the project page
(``add_to_page("projects.project", ...)``) a list under ``dashboard`` of Line, each naming its step, and a
list under ``dashboard_charts`` of Chart. A part that has nothing to say adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from flask import url_for
from markupsafe import Markup

MAYNE_STEPS = {
    1: ("Set out the question", "The cause-effect question the project answers."),
    2: ("Develop the theory of change", "The results chain, the assumptions on its links, the risks and the other "
                                         "influencing factors."),
    3: ("Gather the existing evidence", "Evidence on each step, link, assumption and factor."),
    4: ("Assess the contribution story", "Progress and confidence step by step: which links are strong, which weak."),
    5: ("Seek out more evidence", "Events, action cards, follow-ups and their answers, where the story is weak."),
    6: ("Revise and strengthen the story", "The conclusion, and the versions published for the funder."),
}


class Tone(Enum):
    """How a line reads: where the step stands, something to do, or something gone wrong."""

    STATE = "state"
    TODO = "todo"
    ALERT = "alert"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"state": "", "todo": "To do", "alert": "Needs attention", "done": "Done"}[self.value]


@dataclass(frozen=True)
class Line:
    step: int  # one of MAYNE_STEPS
    text: str
    url: str | None = None
    tone: Tone = Tone.STATE
    link_text: str = ""  # the link's words when they are not the line's own

    def __post_init__(self) -> None:
        if self.step not in MAYNE_STEPS:
            raise ValueError(f"dashboard line for step {self.step}: Mayne's steps are 1 to 6")


@dataclass(frozen=True)
class Chart:
    """A chart drawn on the server as SVG, and its table (caption, column headings, rows) for everyone."""

    title: str
    svg: Markup
    headings: tuple[str, ...]
    rows: list[tuple]
    position: int = 0
    note: str = ""


@dataclass
class DashboardStep:
    number: int
    title: str
    about: str
    lines: list[Line] = field(default_factory=list)

    @property
    def needs_work(self) -> bool:
        return any(line.tone in (Tone.TODO, Tone.ALERT) for line in self.lines)


_ORDER = {Tone.ALERT: 0, Tone.STATE: 1, Tone.TODO: 2, Tone.DONE: 3}


def arrange(lines: list[Line]) -> list[DashboardStep]:
    """The six steps in order, each with its lines: what went wrong first, then where it stands, then to-dos."""
    steps = {number: DashboardStep(number, title, about) for number, (title, about) in MAYNE_STEPS.items()}
    for line in sorted(lines, key=lambda line: _ORDER[line.tone]):
        steps[line.step].lines.append(line)
    return list(steps.values())


def question_line(project, may_manage: bool) -> Line:
    if project.question:
        return Line(1, project.question)
    return Line(1, "No cause-effect question yet: what does the project want to know it contributed to?",
                url_for("projects.edit_project", project_id=project.id) if may_manage else None, Tone.TODO,
                "Write the question")
