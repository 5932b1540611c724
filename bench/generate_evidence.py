"""The evidence side of the generated project: items and their links, assessments, claims, the codebook
and story snapshots (see bench/generate.py)."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import update

from bench.generate import START, CardIds, ChainIds, ResponseIds, Text, bulk, bulk_plain
from impact.assessment.models import (
    Assessment,
    AssumptionState,
    AssumptionStatus,
    Confidence,
    EvidenceStandard,
    ProgressRating,
)
from impact.coding.models import DEFAULT_THEMES, FactorTheme, ResponseCode, theme_factors
from impact.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, LinkOrigin, Stance, Strength
from impact.extensions import db
from impact.followups.models import Response
from impact.projects.models import PartnerGroup, Project
from impact.story.models import Story, StorySnapshot
from impact.story.services import build_content
from impact.toc.models import FactorDirection
from impact.tracing.bayes import PRESETS
from impact.tracing.models import Claim, ClaimTest, TestType

# Evidence -------------------------------------------------------------------------------------

def add_evidence(project: Project, chain: ChainIds, cards: CardIds, responses: ResponseIds, users: list, n: dict,
              rng: random.Random, say: Text) -> list[int]:
    targets = ([("step_id", i) for i in chain.step_ids] + [("link_id", i) for i in chain.link_ids]
               + [("assumption_id", i) for i in chain.assumption_ids] + [("factor_id", i) for i in chain.factor_ids])
    kinds = [kind for kind in EvidenceKind if kind is not EvidenceKind.ACTION_CARD_RESPONSE]
    groups = list(PartnerGroup)
    total = max(n["items"], len(responses.responses))
    now = dt.datetime.now(dt.timezone.utc)
    items, planned = [], []  # planned: per item, [(column, id, origin)]
    for _rid, cid, group, consent, pseudonym in responses.responses:
        quote = say.sentence(10, 24) if consent else ""
        who = pseudonym or group.label.lower()
        items.append(_item_row(project, EvidenceKind.ACTION_CARD_RESPONSE, f"Follow-up response ({who})", group,
                               say.paragraph(4), quote, pseudonym, consent, START + dt.timedelta(days=40), None, None))
        steps = {sid for aid in cards.actions_of[cid] for sid in cards.steps_of[aid]}
        planned.append([("step_id", sid, LinkOrigin.ACTION_MAPPING) for sid in sorted(steps)])
    for index in range(total - len(responses.responses)):
        has_quote = index % 4 == 0
        consent = has_quote and index % 8 == 0
        author = users[index % len(users)]
        deleted = index % 100 == 99  # one in a hundred sits in the trash
        items.append(_item_row(
            project, kinds[index % len(kinds)], f"{say.words(5).capitalize()} #{index + 1}",
            groups[index % len(groups)],
            say.paragraph(rng.randint(2, 6)), say.sentence(10, 24) if has_quote else "",
            f"Participant {index}" if consent else "", consent, START + dt.timedelta(days=index % 700),
            author.id, now if deleted else None))
        planned.append([])
    per_item, extra = divmod(n["evidence_links"], len(items))
    for index, plan in enumerate(planned):
        want = per_item + (1 if index < extra else 0)
        taken = {(column, tid) for column, tid, _ in plan}
        while len(plan) < want:
            column, tid = rng.choice(targets)
            if (column, tid) not in taken:
                taken.add((column, tid))
                plan.append((column, tid, LinkOrigin.MANUAL))
        del plan[want:]
    item_ids = bulk(EvidenceItem, items)
    db.session.execute(
        update(Response),
        [{"id": rid, "evidence_item_id": iid}
         for (rid, *_rest), iid in zip(responses.responses, item_ids, strict=False)])
    stances, strengths = list(Stance), list(Strength)
    link_rows = []
    for iid, row, plan in zip(item_ids, items, planned, strict=True):
        for column, tid, origin in plan:
            link_rows.append({"item_id": iid, "step_id": None, "link_id": None, "assumption_id": None,
                              "factor_id": None, column: tid, "stance": rng.choice(stances),
                              "strength": rng.choice(strengths), "note": say.sentence() if rng.random() < 0.3 else "",
                              "origin": origin, "created_at": row["created_at"], "created_by_id": row["created_by_id"]})
    bulk(EvidenceLink, link_rows)
    return [iid for iid, row in zip(item_ids, items, strict=True) if row["deleted_at"] is None]


def _item_row(project: Project, kind: EvidenceKind, title: str, group: PartnerGroup, summary: str, quote: str,
              pseudonym: str, consent: bool, when: dt.datetime, author_id: int | None,
              deleted_at: dt.datetime | None) -> dict:
    return {"project_id": project.id, "kind": kind, "title": title[:200], "evidence_date": when.date(),
            "source": "Benchmark", "partner_group": group, "summary": summary, "quote": quote, "pseudonym": pseudonym,
            "consent_to_quote": consent, "created_at": when, "created_by_id": author_id, "deleted_at": deleted_at,
            "deleted_by_id": author_id if deleted_at else None}


# Assessment, tracing, coding, story -----------------------------------------------------------

def add_assessments(project: Project, chain: ChainIds, lead, rng: random.Random, say: Text) -> None:
    progress, confidence, states = list(ProgressRating), list(Confidence), list(AssumptionState)
    rows = []
    for column, ids in (("step_id", chain.step_ids), ("link_id", chain.link_ids)):
        for target in ids:
            for number in (1, 2, 3):
                rows.append({"project_id": project.id, "step_id": None, "link_id": None, column: target,
                             "number": number, "based_on": number - 1, "refused": False,
                             "progress": rng.choice(progress), "confidence": rng.choice(confidence),
                             "rationale": say.paragraph(3), "alternatives": say.sentence(), "author_id": lead.id,
                             "created_at": START + dt.timedelta(days=150 * number)})
    ids = bulk(Assessment, rows)
    bulk_plain(AssumptionStatus.__table__, [
        {"assessment_id": aid, "assumption_id": assumption, "state": rng.choice(states)}
        for aid, row in zip(ids, rows, strict=True) if row["link_id"]
        for assumption in chain.assumptions_by_link[row["link_id"]]])
    db.session.add(EvidenceStandard(project_id=project.id, low=say.sentence(), medium=say.sentence(),
                                    high=say.sentence()))
    db.session.add(Story(project_id=project.id, conclusion=say.paragraph(12), updated_at=START, updated_by_id=lead.id))
    db.session.flush()


def add_claims(project: Project, chain: ChainIds, item_ids: list[int], n: dict, rng: random.Random, say: Text) -> int:
    types = [kind for kind in TestType if kind is not TestType.CUSTOM]
    claim_ids = bulk(Claim, [{"project_id": project.id, "statement": say.sentence(), "description": say.paragraph(2),
                              "step_id": rng.choice(chain.step_ids), "link_id": None, "prior": 0.5, "position": index}
                             for index in range(n["claims"])])
    rows = []
    for cid in claim_ids:
        for position in range(n["tests_per_claim"]):
            kind = types[position % len(types)]
            sensitivity, type_one_error = PRESETS[kind]
            rows.append({"claim_id": cid, "item_id": rng.choice(item_ids), "description": say.sentence(),
                         "test_type": kind, "sensitivity": sensitivity, "type_one_error": type_one_error,
                         "found": rng.random() < 0.7, "position": position})
    bulk(ClaimTest, rows)
    return claim_ids[0]


def add_codebook(project: Project, chain: ChainIds, responses: ResponseIds, rng: random.Random) -> None:
    theme_ids = bulk(FactorTheme, [{"project_id": project.id, "name": name, "description": description,
                                    "position": position}
                                   for position, (name, description) in enumerate(DEFAULT_THEMES)])
    bulk_plain(theme_factors, [{"theme_id": rng.choice(theme_ids), "factor_id": fid} for fid in chain.factor_ids])
    bulk(ResponseCode, [{"response_id": rid, "theme_id": rng.choice(theme_ids),
                         "direction": rng.choice(list(FactorDirection)), "excerpt": ""}
                        for index, (rid, *_rest) in enumerate(responses.responses) if index % 2 == 0])


def add_snapshots(project: Project, lead, n: dict, say: Text) -> None:
    """Snapshots taken as the library grew: snapshot k holds the evidence of the first k/N of the items."""
    content = build_content(project)
    item_ids = sorted({entry["item_id"] for part in content["steps"] + content["links"] for entry in part["evidence"]})
    for number in range(1, n["snapshots"] + 1):
        cutoff = item_ids[min(len(item_ids) - 1, len(item_ids) * number // n["snapshots"] - 1)] if item_ids else 0
        db.session.add(StorySnapshot(project_id=project.id, number=number, name=f"Snapshot {number}: {say.words(3)}",
                                     content=_cut(content, cutoff), created_by_id=lead.id,
                                     created_at=START + dt.timedelta(days=30 * number)))
        db.session.flush()


def _cut(value, cutoff: int):
    """A copy of story content without the evidence entries of items after `cutoff`."""
    if isinstance(value, dict):
        return {key: _cut(item, cutoff) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut(item, cutoff) for item in value
                if not (isinstance(item, dict) and "item_id" in item and item["item_id"] > cutoff)]
    return value

