"""The evidence entries of a story: all of them (for a snapshot or a published version, which keep
everything so that comparisons are exact), or only what the live page shows with the counts of the rest.

The live page shows each step and link's strongest few items per side and each factor and assumption's
strongest few; at 20,000 evidence links, reading them all into Python to show about 2,700 was most of
the page's time. So the database picks the shown ones (a window function) and counts the rest
(GROUP BY), and the page's headline figures come from the same counts, never from every row.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import String, and_, case, func, or_, select, type_coerce

from impact.evidence.models import EvidenceItem, EvidenceLink, EvidenceTally, Strength
from impact.evidence.queries import TALLY_GROUP, TALLY_STANCE, live_items, tally_sums
from impact.extensions import db
from impact.toc.models import Step

STRONGEST_SHOWN = 5  # evidence entries shown per side (for, against, mixed) of a part, unless asked for all
COMPACT_SHOWN = 3  # entries shown for a factor or an assumption, whichever way they point
STRENGTH_RANK = {Strength.STRONG.value: 0, Strength.MODERATE.value: 1, Strength.WEAK.value: 2}
TARGETS = ("step", "link", "assumption", "factor")
_TARGET_COLUMNS = (EvidenceLink.step_id, EvidenceLink.link_id, EvidenceLink.assumption_id, EvidenceLink.factor_id)

# The enums as their stored values: the content holds values, and turning 80,000 of them into Enum
# members and back cost a fifth of the page.
_STANCE = type_coerce(EvidenceLink.stance, String)
_STRENGTH = type_coerce(EvidenceLink.strength, String)
# A link's own passage (coded text) is what bears on its target; else the item's quote.
_QUOTE = case((EvidenceLink.quote != "", EvidenceLink.quote), else_=EvidenceItem.quote)


def _of_project(query, project_id: int):
    return (query.select_from(EvidenceLink).join(EvidenceItem, EvidenceItem.id == EvidenceLink.item_id)
            .where(EvidenceItem.project_id == project_id, live_items()))


def _entry_columns():
    return (*_TARGET_COLUMNS, _STANCE, _STRENGTH, EvidenceLink.note, EvidenceItem.id, EvidenceItem.title,
            type_coerce(EvidenceItem.kind, String), EvidenceItem.evidence_date,
            type_coerce(EvidenceItem.partner_group, String), _QUOTE, EvidenceItem.pseudonym,
            EvidenceItem.consent_to_quote)


def _by_target(rows) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """{target kind: {target id: [entry, ...]}} from rows of _entry_columns()."""
    found: dict[str, dict[int, list[dict[str, Any]]]] = {kind: defaultdict(list) for kind in TARGETS}
    for (step_id, link_id, assumption_id, factor_id, stance, strength, note,
         item_id, title, kind, evidence_date, group, quote, pseudonym, consent) in rows:
        consented = bool(quote) and consent
        entry = {
            "item_id": item_id, "title": title, "kind": kind, "date": evidence_date.isoformat(),
            "partner_group": group, "stance": stance, "strength": strength, "note": note,
            # A quote leaves the database only with consent, so no page or snapshot can ever show it otherwise.
            "quote": quote if consented else "",
            "pseudonym": pseudonym if consented else "",
            "quote_withheld": bool(quote) and not consent,
        }
        for target, target_id in zip(TARGETS, (step_id, link_id, assumption_id, factor_id), strict=True):
            if target_id is not None:
                found[target][target_id].append(entry)
                break
    return found


_NEWEST_FIRST = (EvidenceItem.evidence_date.desc(), EvidenceItem.id.desc(), EvidenceLink.id)


def all_entries(project_id: int) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Every live evidence link of the project, newest first: one query of plain columns, not ORM objects
    (at 20,000 evidence links, loading the links and their items as objects took 1.7 s of the page's 3 s)."""
    return _by_target(db.session.execute(
        _of_project(select(*_entry_columns()), project_id).order_by(*_NEWEST_FIRST)))


def strongest_entries(project_id: int) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Only the entries the story shows: per step and link the STRONGEST_SHOWN strongest of each stance,
    per factor and assumption the COMPACT_SHOWN strongest of each (StoryView.strongest keeps the strongest
    of those); strong before moderate before weak, a quote before none, then newest (the view ranks the
    full lists of a snapshot the same way). One query."""
    strength = case(*((_STRENGTH == value, rank) for value, rank in STRENGTH_RANK.items()), else_=len(STRENGTH_RANK))
    unquoted = case((and_(_QUOTE != "", EvidenceItem.consent_to_quote.is_(True)), 0), else_=1)
    ranking = (strength, unquoted, *_NEWEST_FIRST)
    on_step_or_link = or_(EvidenceLink.step_id.is_not(None), EvidenceLink.link_id.is_not(None))
    # Ranked by id alone, then the shown rows read whole: sorting 20,000 rows with all their text took longer.
    ranked = _of_project(select(
        EvidenceLink.id, case((on_step_or_link, STRONGEST_SHOWN), else_=COMPACT_SHOWN).label("shown"),
        func.row_number().over(partition_by=(*_TARGET_COLUMNS, _STANCE), order_by=ranking).label("rank"),
    ), project_id).subquery()
    return _by_target(db.session.execute(
        _of_project(select(*_entry_columns()), project_id).join(ranked, ranked.c.id == EvidenceLink.id)
        .where(ranked.c.rank <= ranked.c.shown).order_by(*_NEWEST_FIRST)))


def stance_counts(project_id: int) -> dict[str, dict[int, dict[str, int]]]:
    """{target kind: {target id: {stance: evidence links}}}, from the tally the database keeps."""
    found: dict[str, dict[int, dict[str, int]]] = {kind: defaultdict(dict) for kind in TARGETS}
    for kind, target_id, stance, links in tally_sums(project_id, EvidenceTally.target_kind, EvidenceTally.target_id,
                                                     TALLY_STANCE):
        found[kind][target_id][stance] = links
    return found


def step_voices(project_id: int) -> dict[int, dict[str, int]]:
    """{step id: {partner group: distinct items}} for the evidence on each step, from the tally (an item
    links to a step once, so its links there are its items)."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for step_id, partner_group, links in tally_sums(project_id, EvidenceTally.target_id, TALLY_GROUP, kind="step"):
        found[step_id][partner_group] = links
    return found


def level_voices(project_id: int) -> dict[int, dict[str, int]]:
    """{level id: {partner group: distinct items}} for the evidence on the level's steps: one GROUP BY over
    the links to steps. An item on two of a level's steps counts once, so these are not the steps' tallies
    added up, and no per-step count gives them."""
    group = type_coerce(EvidenceItem.partner_group, String)
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for level_id, partner_group, count in db.session.execute(_of_project(
            select(Step.level_id, group, func.count(func.distinct(EvidenceItem.id))), project_id)
            .join(Step, Step.id == EvidenceLink.step_id).group_by(Step.level_id, group)):
        found[level_id][partner_group] = count
    return found
