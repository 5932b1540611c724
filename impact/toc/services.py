"""Reading and editing a project's results chain."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import has_request_context, request
from sqlalchemy import func, select

from impact.extensions import db
from impact.projects.models import Project
from impact.projects.signals import project_created
from impact.toc.models import (
    KE_TEMPLATE_LEVELS,
    Assumption,
    AssumptionKind,
    FactorDirection,
    InfluencingFactor,
    Level,
    Link,
    Step,
)
from impact.toc.models import factor_steps as factor_steps_table


class ChainError(ValueError):
    """An edit the chain cannot take (a cycle, a duplicate link...), with a message for the user."""


@dataclass
class Chain:
    """A whole results chain, loaded with a fixed number of queries."""

    levels: list[Level]
    steps: list[Step]
    links: list[Link]
    assumptions_by_link: dict[int, list[Assumption]] = field(default_factory=dict)
    # A factor is listed under every step it bears on; factor_steps gives each factor's steps, its own first.
    factors_by_step: dict[int, list[InfluencingFactor]] = field(default_factory=dict)
    factor_steps: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.step_by_id = {step.id: step for step in self.steps}
        self.steps_by_level: dict[int, list[Step]] = defaultdict(list)
        for step in self.steps:
            self.steps_by_level[step.level_id].append(step)
        self.links_from: dict[int, list[Link]] = defaultdict(list)
        self.links_to: dict[int, list[Link]] = defaultdict(list)
        for link in self.links:
            self.links_from[link.source_step_id].append(link)
            self.links_to[link.target_step_id].append(link)

    @property
    def factors(self) -> list[InfluencingFactor]:
        """Every factor once, in the order they were entered."""
        unique = {factor.id: factor for found in self.factors_by_step.values() for factor in found}
        return [unique[factor_id] for factor_id in sorted(unique)]

    def factor_step_titles(self, factor: InfluencingFactor) -> list[str]:
        return [self.step_by_id[step_id].title for step_id in self.factor_steps.get(factor.id, [factor.step_id])
                if step_id in self.step_by_id]

    def assumptions_by_id(self, link_id: int) -> dict[int, Assumption]:
        """A link's assumptions and risks by id, as an assessment of the link names them."""
        return {assumption.id: assumption for assumption in self.assumptions_by_link.get(link_id, [])}


def load_chain(project_id: int) -> Chain:
    levels = list(db.session.scalars(
        select(Level).where(Level.project_id == project_id).order_by(Level.position, Level.id)))
    level_order = {level.id: index for index, level in enumerate(levels)}
    steps = sorted(
        db.session.scalars(select(Step).where(Step.project_id == project_id)),
        key=lambda s: (level_order.get(s.level_id, 0), s.position, s.id),
    )
    step_order = {step.id: index for index, step in enumerate(steps)}
    links = sorted(
        db.session.scalars(select(Link).where(Link.project_id == project_id)),
        key=lambda link: (step_order.get(link.source_step_id, 0), step_order.get(link.target_step_id, 0)),
    )
    assumptions: dict[int, list[Assumption]] = defaultdict(list)
    for assumption in db.session.scalars(
        select(Assumption).join(Link).where(Link.project_id == project_id).order_by(Assumption.kind, Assumption.id)
    ):
        assumptions[assumption.link_id].append(assumption)
    factors: dict[int, list[InfluencingFactor]] = defaultdict(list)
    by_id = {}
    for factor in db.session.scalars(
        select(InfluencingFactor).where(InfluencingFactor.project_id == project_id).order_by(InfluencingFactor.id)
    ):
        factors[factor.step_id].append(factor)
        by_id[factor.id] = factor
    factor_steps: dict[int, list[int]] = {factor_id: [factor.step_id] for factor_id, factor in by_id.items()}
    for factor_id, step_id in db.session.execute(
        select(factor_steps_table.c.factor_id, factor_steps_table.c.step_id)
        .join(InfluencingFactor, InfluencingFactor.id == factor_steps_table.c.factor_id)
        .where(InfluencingFactor.project_id == project_id)
    ):
        if step_id not in factor_steps[factor_id]:
            factor_steps[factor_id].append(step_id)
            factors[step_id].append(by_id[factor_id])
    for shared in factors.values():
        shared.sort(key=lambda factor: factor.id)
    return Chain(levels, steps, links, assumptions, factors, factor_steps)


def chain_for_page(project_id: int) -> Chain:
    """The chain, loaded once for a page that several parts fill (the project home): each part reads it,
    none changes it, so they share one load within the request."""
    if not has_request_context():
        return load_chain(project_id)
    # Kept on the request itself, not on g: an app context (and its g) can outlive one request.
    loaded = request.environ.setdefault("impact.chains_read", {})
    if project_id not in loaded:
        loaded[project_id] = load_chain(project_id)
    return loaded[project_id]


# Levels -------------------------------------------------------------------------------------

def _next_position(model, *conditions) -> int:
    return (db.session.scalar(select(func.max(model.position)).where(*conditions)) or 0) + 1


def _name_taken(project: Project, name: str, exclude_id: int | None = None) -> bool:
    query = select(Level.id).where(Level.project_id == project.id, func.lower(Level.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Level.id != exclude_id)
    return db.session.scalar(query) is not None


def add_level(project: Project, name: str, description: str = "") -> Level:
    if _name_taken(project, name):
        raise ChainError(f"There is already a level called {name}.")
    level = Level(project_id=project.id, name=name, description=description,
                  position=_next_position(Level, Level.project_id == project.id))
    db.session.add(level)
    db.session.flush()
    return level


def update_level(level: Level, name: str, description: str) -> None:
    if _name_taken(level.project, name, exclude_id=level.id):
        raise ChainError(f"There is already a level called {name}.")
    level.name, level.description = name, description
    db.session.flush()


def delete_level(level: Level) -> None:
    count = db.session.scalar(select(func.count()).select_from(Step).where(Step.level_id == level.id))
    if count:
        raise ChainError(
            f"The level {level.name} still holds {count} step{'s' if count != 1 else ''}: "
            "move or delete them first."
        )
    db.session.delete(level)
    db.session.flush()


def _move(items: list, item, direction: str) -> bool:
    """Swap an item with its neighbour in an ordered list and renumber positions 0..n-1."""
    if direction not in ("up", "down"):
        return False
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    return True


def move_level(level: Level, direction: str) -> bool:
    levels = list(db.session.scalars(
        select(Level).where(Level.project_id == level.project_id).order_by(Level.position, Level.id)
    ))
    return _move(levels, level, direction)


# Steps --------------------------------------------------------------------------------------

def add_step(project: Project, level: Level, title: str, description: str = "") -> Step:
    step = Step(project_id=project.id, level_id=level.id, title=title, description=description,
                position=_next_position(Step, Step.level_id == level.id))
    db.session.add(step)
    db.session.flush()
    return step


def update_step(step: Step, *, title: str, description: str, level: Level) -> None:
    if level.id != step.level_id:
        step.position = _next_position(Step, Step.level_id == level.id)
        step.level_id = level.id
    step.title, step.description = title, description
    db.session.flush()


def move_step(step: Step, direction: str) -> bool:
    siblings = list(db.session.scalars(
        select(Step).where(Step.level_id == step.level_id).order_by(Step.position, Step.id)
    ))
    return _move(siblings, step, direction)


def step_link_count(step: Step) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Link).where(
            (Link.source_step_id == step.id) | (Link.target_step_id == step.id)
        )
    )


# Links --------------------------------------------------------------------------------------

def leads_to(project_id: int, start: int, goal: int) -> bool:
    """Whether following links from `start` reaches `goal`."""
    edges: dict[int, list[int]] = defaultdict(list)
    for source, target in db.session.execute(
        select(Link.source_step_id, Link.target_step_id).where(Link.project_id == project_id)
    ):
        edges[source].append(target)
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return True
        for nxt in edges[node]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def add_link(project: Project, source: Step, target: Step, note: str = "") -> Link:
    if source.id == target.id:
        raise ChainError("A step cannot link to itself: choose two different steps.")
    duplicate = db.session.scalar(
        select(Link.id).where(Link.source_step_id == source.id, Link.target_step_id == target.id)
    )
    if duplicate:
        raise ChainError(f"“{source.title}” already links to “{target.title}”.")
    if leads_to(project.id, target.id, source.id):
        raise ChainError(
            f"That link would make a loop: “{target.title}” already leads, through other links, "
            f"to “{source.title}”. A results chain cannot go round in a circle."
        )
    link = Link(project_id=project.id, source_step_id=source.id, target_step_id=target.id, note=note)
    db.session.add(link)
    db.session.flush()
    return link


# Assumptions, risks and factors -------------------------------------------------------------

def add_assumption(link: Link, kind: AssumptionKind, text: str) -> Assumption:
    assumption = Assumption(link_id=link.id, kind=kind, text=text)
    db.session.add(assumption)
    db.session.flush()
    return assumption


def update_assumption(assumption: Assumption, *, kind: AssumptionKind, text: str) -> None:
    assumption.kind, assumption.text = kind, text
    db.session.flush()


def add_factor(step: Step, title: str, direction: FactorDirection, description: str = "") -> InfluencingFactor:
    factor = InfluencingFactor(project_id=step.project_id, step_id=step.id, title=title,
                               direction=direction, description=description)
    db.session.add(factor)
    db.session.flush()
    return factor


def update_factor(factor: InfluencingFactor, *, title: str, direction: FactorDirection, description: str) -> None:
    factor.title, factor.direction, factor.description = title, direction, description
    db.session.flush()


@project_created.connect
def add_template_levels(project: Project) -> None:
    """A new project starts from the knowledge-exchange template of levels (it may rename, add or remove them)."""
    for position, (name, description) in enumerate(KE_TEMPLATE_LEVELS):
        project.levels.append(Level(name=name, description=description, position=position))
    db.session.flush()


def share_factor(factor: InfluencingFactor, step: Step) -> bool:
    """Have the factor bear on another step too; False if it already does."""
    if step.id == factor.step_id or step in factor.also_steps:
        return False
    factor.also_steps.append(step)
    db.session.flush()
    return True


def unshare_factor(factor: InfluencingFactor, step: Step) -> None:
    """The factor no longer bears on this step. Taken off the step it was entered on, it belongs from then
    on to the first of its other steps (a factor on that one step alone is deleted, not taken off)."""
    if step in factor.also_steps:
        factor.also_steps.remove(step)
    elif factor.step_id == step.id and factor.also_steps:
        factor.step_id = factor.also_steps.pop(0).id
    db.session.flush()


def hand_on_shared_factors(step: Step) -> None:
    """Before a step goes: its factors that bear on other steps too move to the first of them, keeping
    this step among theirs (so the step's trash record puts that back on restore)."""
    for factor in list(step.factors):
        if factor.also_steps:
            new_home = factor.also_steps.pop(0)
            factor.step_id = new_home.id
            factor.also_steps.append(step)
    db.session.flush()
    db.session.expire(step, ["factors"])
