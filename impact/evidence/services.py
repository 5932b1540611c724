"""The evidence library's services: items, their links to the chain, the trash and the filtered list.

Deleting goes through the shared trash (impact/trash.py): an item stays in its table, marked deleted
(set_aside), so its links, file and the tracing tests citing it stay as they are until it is
restored (take_back); a removed link is put away into a trash record, which its Undo restores.

Services flush; the route commits once.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import abort, url_for
from flask_login import current_user
from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from impact import trash
from impact.evidence.derived import set_link_judgement
from impact.evidence.files import StoredFile, attach
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.evidence.queries import live_items
from impact.evidence.signals import consent_withdrawn
from impact.extensions import db
from impact.model_types import utcnow
from impact.projects.models import Project
from impact.projects.permissions import Need, can
from impact.signing import LinkProblem
from impact.toc.services import Chain
from impact.trash import TrashError, TrashRecord

TARGET_KINDS = ("step", "link", "assumption", "factor")
REMOVED_LINK = "evidence_link"  # the kind of trash record a removed link is kept in


class LinkError(ValueError):
    """A link we cannot make (unknown target, duplicate), with a message for the user."""


# Loading and permissions -----------------------------------------------------------------------

def get_item_or_404(project: Project, item_id: int, *, deleted: bool = False, with_links: bool = False):
    """A live item of this project (or, with deleted=True, one in its trash)."""
    query = select(EvidenceItem).where(EvidenceItem.id == item_id, EvidenceItem.project_id == project.id)
    query = query.where(EvidenceItem.deleted_at.is_not(None) if deleted else live_items())
    if with_links:
        query = query.options(selectinload(EvidenceItem.links), selectinload(EvidenceItem.created_by))
    item = db.session.scalar(query)
    if item is None:
        abort(404)
    return item


def find_link(item: EvidenceItem, link_id: int) -> EvidenceLink | None:
    """One of this item's links, or None (never one of another item's): the item was already found within
    its project. None usually means someone removed the link after the page was loaded."""
    return db.session.scalar(select(EvidenceLink).where(EvidenceLink.id == link_id, EvidenceLink.item_id == item.id))


def may_change(project: Project, item: EvidenceItem, user=None) -> bool:
    """Editors change any item; contributors (practitioner- and co-researchers) only the items they added."""
    user = current_user if user is None else user
    if can(user, project, Need.EDIT):
        return True
    return (can(user, project, Need.CONTRIBUTE) and item.created_by_id is not None
            and item.created_by_id == getattr(user, "id", None))


def require_change(project: Project, item: EvidenceItem) -> None:
    if not may_change(project, item):
        abort(403)


# Respondents' own words ------------------------------------------------------------------------

def private_summary():
    """Items whose summary holds the verbatim answers of a respondent who did not agree to be quoted."""
    return and_(EvidenceItem.kind == EvidenceKind.ACTION_CARD_RESPONSE, EvidenceItem.consent_to_quote.is_(False))


def sees_private_summaries(project: Project) -> bool:
    """Only the project team (EDIT) reads what respondents wrote without consenting to be quoted."""
    return can(current_user, project, Need.EDIT)


def summary_hidden(project: Project, item: EvidenceItem) -> bool:
    return (item.kind == EvidenceKind.ACTION_CARD_RESPONSE and not item.consent_to_quote
            and not sees_private_summaries(project))


# Items -----------------------------------------------------------------------------------------

def create_item(project: Project, user, values: dict, stored: StoredFile | None = None) -> EvidenceItem:
    item = EvidenceItem(project_id=project.id, created_by_id=getattr(user, "id", None), **values)
    attach(item, stored)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: EvidenceItem, values: dict, stored: StoredFile | None = None,
                remove_file: bool = False) -> None:
    """Save an edit. A file the item no longer refers to is left on disk for files.sweep_unused_files."""
    for name, value in values.items():
        setattr(item, name, value)
    attach(item, stored, remove=remove_file)
    item.updated_at = utcnow()
    db.session.flush()


def delete_item(item: EvidenceItem, user) -> None:
    """Move to the trash: the item and its links disappear everywhere but can be restored."""
    trash.set_aside(item, user)


def restore_item(item: EvidenceItem) -> None:
    trash.take_back(item)


def trash_query(project: Project):
    return (select(EvidenceItem).where(EvidenceItem.project_id == project.id, EvidenceItem.deleted_at.is_not(None))
            .options(selectinload(EvidenceItem.deleted_by))
            .order_by(EvidenceItem.deleted_at.desc(), EvidenceItem.id.desc()))


# Links -----------------------------------------------------------------------------------------

@dataclass
class Target:
    kind: str  # one of TARGET_KINDS
    id: int
    label: str
    url: str

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def prefix(self) -> str:
        """"Step", "Link", "Factor"; none for an assumption, whose label starts "Assumption:" or "Risk:"."""
        return "" if self.kind == "assumption" else self.kind.capitalize()


class Targets:
    """Every part of the project's chain an item can be linked to, from an already loaded Chain."""

    def __init__(self, project: Project, chain: Chain):
        self.project, self.chain = project, chain
        self.by_value: dict[str, Target] = {}
        self.groups: dict[str, list[Target]] = {"Steps": [], "Links": [], "Assumptions and risks": [],
                                                 "Influencing factors": []}
        for step in chain.steps:
            self._add("Steps", Target("step", step.id, step.title, self._step_url(step.id)))
        for link in chain.links:
            self._add("Links", Target("link", link.id, self._link_label(link), self._link_url(link.id)))
        for link in chain.links:
            for assumption in chain.assumptions_by_link.get(link.id, []):
                self._add("Assumptions and risks", Target(
                    "assumption", assumption.id, f"{assumption.kind.label}: {assumption.text} "
                    f"(on {self._link_label(link)})", self._link_url(link.id)))
        for factor in chain.factors:  # once each, however many steps it bears on
            self._add("Influencing factors", Target(
                "factor", factor.id, f"{factor.title} (on {', '.join(chain.factor_step_titles(factor))})",
                self._step_url(factor.step_id) + "#factors"))

    def _add(self, group: str, target: Target) -> None:
        self.groups[group].append(target)
        self.by_value[target.value] = target

    def _link_label(self, link) -> str:
        steps = self.chain.step_by_id
        return f"{steps[link.source_step_id].title} → {steps[link.target_step_id].title}"

    def _step_url(self, step_id: int) -> str:
        return url_for("toc.step", project_id=self.project.id, step_id=step_id)

    def _link_url(self, link_id: int) -> str:
        return url_for("toc.link", project_id=self.project.id, link_id=link_id)

    def choices(self) -> list[SelectChoice]:
        """For a SelectField, grouped by kind of target, after a blank first option (none chosen by accident)."""
        options = [SelectChoice(t.value, t.label, optgroup=group) for group, targets in self.groups.items()
                   for t in targets]
        return [SelectChoice("", "Choose a step, link, assumption or factor"), *options] if options else []

    def of(self, link: EvidenceLink) -> Target | None:
        for kind in TARGET_KINDS:
            target_id = getattr(link, f"{kind}_id")
            if target_id is not None:
                return self.by_value.get(f"{kind}:{target_id}")
        return None


def target_value(link: EvidenceLink) -> str:
    """"step:12" etc.: what a link points at, even when that part is not in the loaded chain."""
    kind = next(kind for kind in TARGET_KINDS if getattr(link, f"{kind}_id") is not None)
    return f"{kind}:{getattr(link, f'{kind}_id')}"


def _touch(item: EvidenceItem) -> None:
    # EvidenceLink has no version of its own: changing a link updates the item's row, which bumps the item's
    # version, so a form based on the item as it was (edit, add or remove a link) is refused as outdated.
    item.updated_at = utcnow()


def add_link(item: EvidenceItem, targets: Targets, value: str, stance: Stance, strength: Strength, note: str,
             user, *, touch: bool = True) -> EvidenceLink:
    target = targets.by_value.get(value or "")
    if target is None:  # only the project's own chain is offered; anything else is refused
        raise LinkError("Choose a step, link, assumption or factor of this project.")
    column = getattr(EvidenceLink, f"{target.kind}_id")
    if db.session.scalar(select(exists().where(EvidenceLink.item_id == item.id, column == target.id))):
        raise LinkError(f"This item is already linked to “{target.label}”. Edit that link instead.")
    link = EvidenceLink(item_id=item.id, stance=stance, strength=strength, note=note, origin=LinkOrigin.MANUAL,
                        created_by_id=getattr(user, "id", None), **{f"{target.kind}_id": target.id})
    db.session.add(link)
    if touch:
        _touch(item)
    db.session.flush()
    return link


def add_step_links(item: EvidenceItem, targets: Targets, step_ids: list[int], stance: Stance, user) -> None:
    # Links made with a new item: the item is being created, not changed.
    for step_id in dict.fromkeys(step_ids):
        add_link(item, targets, f"step:{step_id}", stance, Strength.MODERATE, "", user, touch=False)


def update_link(item: EvidenceItem, link: EvidenceLink, stance: Stance, strength: Strength, note: str) -> None:
    set_link_judgement(link, stance, strength, note)  # which touches the item too


def remove_link(item: EvidenceItem, link: EvidenceLink, user=None) -> TrashRecord:
    """Remove a link into the trash; restore_link puts exactly the same link back (trash.undo_token names it)."""
    record = trash.put_away([link], project_id=item.project_id, kind=REMOVED_LINK, user=user,
                            title=f"Link of “{item.title}” to {target_value(link)}",
                            data={"item_id": item.id, "target": target_value(link)})
    _touch(item)
    db.session.flush()
    return record


def removed_link(project: Project, token: str) -> TrashRecord:
    """The removed link an Undo names (404 when it is another project's)."""
    try:
        return trash.record_for_undo(project.id, token, [REMOVED_LINK])
    except LinkProblem as problem:
        if str(problem) == "expired":
            raise LinkError("This undo has expired. Add the link again below.") from None
        raise LinkError("This undo could not be read. Add the link again below.") from None


def _linked_to(item: EvidenceItem, value: str) -> bool:
    kind, target_id = value.split(":")
    column = getattr(EvidenceLink, f"{kind}_id")
    return bool(db.session.scalar(select(exists().where(EvidenceLink.item_id == item.id, column == int(target_id)))))


def restore_link(item: EvidenceItem, targets: Targets, record: TrashRecord) -> None:
    """Undo a removal: the same link (target, stance, strength, note, quote, origin, creator) comes back."""
    if record.payload.get("item_id") != item.id:
        raise LinkError("This undo belongs to another evidence item.")
    value = record.payload["target"]
    label = targets.by_value[value].label if value in targets.by_value else ""
    if record.restored_at is not None:
        if _linked_to(item, value):
            raise LinkError(f"This undo has already been used: the item is already linked to “{label}”.")
        raise LinkError("This undo has already been used (the link was removed again since). Add it again below.")
    if not label:
        raise LinkError("The part of the chain this link pointed to no longer exists, so it cannot be restored.")
    if _linked_to(item, value):
        raise LinkError(f"This item is already linked to “{label}”. Edit that link instead.")
    try:
        trash.restore(record)
    except TrashError as exc:  # restored by someone else at the same moment
        raise LinkError(f"{exc} The item is already linked to “{label}”.") from None
    _touch(item)
    db.session.expire(item, ["links"])
    db.session.flush()


# The library list ------------------------------------------------------------------------------

def library_query(project: Project, filters: dict, *, private_summaries: bool = False):
    """Live items of the project matching the filters, newest evidence first (a select() to paginate).

    private_summaries: whether the reader may see respondents' unquotable words (see sees_private_summaries).
    """
    query = select(EvidenceItem).where(EvidenceItem.project_id == project.id, live_items())
    if text := filters.get("q"):
        # A withheld quote (or summary) is never shown, so searching it must not reveal it either.
        in_summary = EvidenceItem.summary.icontains(text, autoescape=True)
        query = query.where(or_(
            EvidenceItem.title.icontains(text, autoescape=True),
            in_summary if private_summaries else and_(in_summary, not_(private_summary())),
            EvidenceItem.source.icontains(text, autoescape=True),
            (EvidenceItem.quote.icontains(text, autoescape=True) & EvidenceItem.consent_to_quote.is_(True)),
        ))
    if kind := filters.get("kind"):
        query = query.where(EvidenceItem.kind == kind)
    if group := filters.get("partner_group"):
        query = query.where(EvidenceItem.partner_group == group)
    if date_from := filters.get("date_from"):
        query = query.where(EvidenceItem.evidence_date >= date_from)
    if date_to := filters.get("date_to"):
        query = query.where(EvidenceItem.evidence_date <= date_to)
    # With both a step and a stance, one and the same link must match both: an item supporting S1 and
    # challenging S2 is not evidence challenging S1.
    link_conditions = []
    if step_id := filters.get("step_id"):
        link_conditions.append(EvidenceLink.step_id == step_id)
    if stance := filters.get("stance"):
        link_conditions.append(EvidenceLink.stance == stance)
    if link_conditions:
        query = query.where(exists().where(EvidenceLink.item_id == EvidenceItem.id, *link_conditions))
    return query.order_by(EvidenceItem.evidence_date.desc(), EvidenceItem.id.desc())


def stance_counts(item_ids: list[int]) -> dict[int, dict[Stance, int]]:
    """{item id: {stance: number of links}} for a page of items, in one query."""
    counts: dict[int, dict[Stance, int]] = defaultdict(dict)
    if item_ids:
        for item_id, stance, count in db.session.execute(
            select(EvidenceLink.item_id, EvidenceLink.stance, func.count())
            .where(EvidenceLink.item_id.in_(item_ids)).group_by(EvidenceLink.item_id, EvidenceLink.stance)
        ):
            counts[item_id][stance] = count
    return counts


def link_count(item: EvidenceItem) -> int:
    return db.session.scalar(select(func.count()).select_from(EvidenceLink).where(EvidenceLink.item_id == item.id))


# A contributor's own -----------------------------------------------------------------------------

def my_items_query(project: Project, user):
    """Live items of the project that the user added or that their own words wrote (a select() to paginate)."""
    return (select(EvidenceItem)
            .where(EvidenceItem.project_id == project.id, EvidenceItem.created_by_id == user.id, live_items())
            .order_by(EvidenceItem.evidence_date.desc(), EvidenceItem.id.desc())
            .options(selectinload(EvidenceItem.links)))


def withdraw_consent(item: EvidenceItem) -> None:
    """The item's words are quoted nowhere any more: not on its pages, nor in what other parts keep of them."""
    item.consent_to_quote = False
    _touch(item)
    db.session.flush()
    consent_withdrawn.send(item)
