"""Small pieces the chain pages share: the diagram and the select lists."""
from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from impact.forms import select_choices
from impact.projects.models import Project
from impact.toc.diagram import DiagramLevel, DiagramLink, DiagramStep, render_chain_svg
from impact.toc.services import Chain


def chain_diagram(project: Project, chain: Chain, *, linked: bool = True) -> Markup:
    return render_chain_svg(
        [DiagramLevel(level.id, level.name) for level in chain.levels],
        [
            DiagramStep(
                step.id, step.level_id, step.title,
                href=url_for("toc.step", project_id=project.id, step_id=step.id) if linked else None,
            )
            for step in chain.steps
        ],
        [DiagramLink(link.source_step_id, link.target_step_id) for link in chain.links],
        title=f"Results chain of {project.title}",
    )


def snapshot_diagram(snap: dict, title: str) -> Markup:
    """The diagram of a saved revision (read-only, so the boxes link nowhere)."""
    return render_chain_svg(
        [DiagramLevel(lv["id"], lv["name"]) for lv in snap["levels"]],
        [DiagramStep(s["id"], s["level_id"], s["title"]) for s in snap["steps"]],
        [DiagramLink(link["source"], link["target"]) for link in snap["links"]],
        title=title,
    )


def level_choices(chain: Chain):
    return select_choices((level.id, level.name) for level in chain.levels)


def step_choices(chain: Chain):
    names = {level.id: level.name for level in chain.levels}
    return select_choices((step.id, f"{names.get(step.level_id, '')}: {step.title}") for step in chain.steps)
