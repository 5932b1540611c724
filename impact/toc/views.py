"""Small pieces the chain pages share: the diagram and the select lists."""
from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from markupsafe import Markup

from impact.forms import select_choices
from impact.projects.dashboard import Line, Tone
from impact.projects.models import Project
from impact.projects.permissions import Need, may
from impact.text_filters import counted
from impact.toc.diagram import (
    CONFIDENCE_STROKES,
    DEFAULT_STROKE,
    PROGRESS_FILLS,
    DiagramLevel,
    DiagramLink,
    DiagramStep,
    render_chain_svg,
)
from impact.toc.services import Chain, chain_for_page


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


def coloured_diagram(levels: list[dict], steps: list[dict], links: list[dict], *, title: str,
                     href: Callable[[int], str] | None = None) -> Markup:
    """The chain with each box filled by its progress and outlined by the confidence in it.

    Takes plain dicts (levels: id, name; steps: id, level_id, title, progress, confidence, flag;
    links: source, target) so a saved story snapshot redraws exactly as it was.
    """
    return render_chain_svg(
        [DiagramLevel(lv["id"], lv["name"]) for lv in levels],
        [DiagramStep(s["id"], s["level_id"], s["title"], href=href(s["id"]) if href else None,
                     progress=s.get("progress"), confidence=s.get("confidence"), flag=s.get("flag"))
         for s in steps],
        [DiagramLink(link["source"], link["target"]) for link in links],
        title=title,
    )


def _swatch(fill: str, stroke_width: str, dash: str | None) -> Markup:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return Markup(
        '<svg class="swatch" width="36" height="20" viewBox="0 0 36 20" aria-hidden="true" focusable="false">'
        f'<rect x="2" y="2" width="32" height="16" rx="3" fill="{fill}" stroke="#374151"'
        f' stroke-width="{stroke_width}"{dash_attr}/></svg>'
    )


def diagram_legend() -> dict[str, list[tuple[str, Markup]]]:
    """Samples of the fills and outlines coloured_diagram uses, built from the same tables."""
    plain = PROGRESS_FILLS["unknown"]
    return {
        "progress": [(value, _swatch(PROGRESS_FILLS[value], *DEFAULT_STROKE))
                     for value in ("none", "low", "some", "good", "unknown")],
        "confidence": [(value, _swatch(plain, *CONFIDENCE_STROKES.get(value, DEFAULT_STROKE)))
                       for value in ("low", "medium", "high", "unknown")],
    }


def level_choices(chain: Chain):
    return select_choices((level.id, level.name) for level in chain.levels)


def step_choices(chain: Chain):
    names = {level.id: level.name for level in chain.levels}
    return select_choices((step.id, f"{names.get(step.level_id, '')}: {step.title}") for step in chain.steps)


def overview(project, linked: bool) -> dict:
    """The project overview's part: the results chain and its diagram, linked to the steps, for the team,
    and where the theory of change stands (Mayne's step 2). Readers of the report alone (funders) see the
    chain as published, never as the team is changing it. The diagram is drawn only if the page shows it
    (a part that colours the chain gives its own)."""
    if not linked:
        return {}
    chain = chain_for_page(project.id)
    return {"chain": chain, "diagram": lambda: chain_diagram(project, chain, linked=linked),
            "dashboard": chain_lines(project, chain)}


def chain_lines(project, chain: Chain) -> list[Line]:
    edit = url_for("toc.chain", project_id=project.id) if may(project, Need.EDIT) else None
    assumptions = sum(len(found) for found in chain.assumptions_by_link.values())
    factors = len(chain.factors)
    figures = ", ".join([counted(len(chain.levels), "level"), counted(len(chain.steps), "step"),
                         counted(len(chain.links), "link"),
                         counted(assumptions, "assumption or risk", "assumptions and risks"),
                         counted(factors, "influencing factor")])
    lines = [Line(2, f"{figures}.", url_for("toc.chain", project_id=project.id), link_text="Theory of change")]
    if not chain.steps:
        lines.append(Line(2, "No steps yet: set out the results chain, level by level.", edit, Tone.TODO))
        return lines
    linked_steps = {link.source_step_id for link in chain.links} | {link.target_step_id for link in chain.links}
    alone = sum(1 for step in chain.steps if step.id not in linked_steps)
    if alone and len(chain.steps) > 1:
        lines.append(Line(2, f"{counted(alone, 'step')} {'is' if alone == 1 else 'are'} not linked to any other.",
                          edit, Tone.TODO))
    bare = sum(1 for link in chain.links if not chain.assumptions_by_link.get(link.id))
    if bare:
        lines.append(Line(2, f"{counted(bare, 'link')} {'has' if bare == 1 else 'have'} no assumption written down.",
                          edit, Tone.TODO))
    if not factors:
        lines.append(Line(2, "No other influencing factors yet: what else could explain the change?", edit,
                          Tone.TODO))
    return lines
