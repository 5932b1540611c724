"""Build one large project through the app's models, at a scale (1 = the sizes below).

Rows go in with batched multi-row INSERTs (the way impact/cards/importer.py stores new cards):
the ORM one object at a time would take minutes at this size. Services are used only where
they are cheap (creating the project, users, TOC revisions, the story content for snapshots).

    python -m bench.generate --scale 1     # fills the database at BENCH_DATABASE_URL, or a throwaway SQLite
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass, field

from sqlalchemy import insert, text

from impact.auth.services import create_user
from impact.cards.models import Action, ActionCard, CardSource, action_steps
from impact.events.models import Event, EventAttendance, EventKind
from impact.extensions import db
from impact.followups.models import ActionProgress, Campaign, FollowUp, Progress, Response
from impact.mail.models import OutboxMessage, OutboxStatus
from impact.projects.models import Membership, PartnerGroup, Project, Role
from impact.projects.services import create_project
from impact.publishing.services import new_version
from impact.toc.models import Assumption, AssumptionKind, FactorDirection, InfluencingFactor, Link, Step
from impact.toc.revisions import save_revision

PASSWORD = "bench password 1"
LEAD_EMAIL = "lead@bench.example.org"
ADMIN_EMAIL = "admin@bench.example.org"
BATCH = 1000
SEARCH_WORD = "supervision"  # appears in about one summary in eight: the library search looks for it

BASE = {  # sizes at scale 1
    "steps": 60, "links": 120, "factors": 60, "events": 5, "cards": 2000, "followups": 1500, "responses": 700,
    "items": 5000, "evidence_links": 20000, "claims": 5, "tests_per_claim": 10, "snapshots": 20, "members": 30,
}
WORDS = ("practice", "engagement", "clients", "council", "managers", "seminar", "guide", "relationship", "trust",
         "caseload", "time", "review", "report", "training", "mentor", "feedback", "change", "family", "worker",
         "team", SEARCH_WORD, "policy", "reflection", "meeting", "visit", "plan", "court", "school", "voice",
         "confidence", "skills", "learning", "evidence", "outcome", "support", "risk", "barrier", "culture")
START = dt.datetime(2023, 1, 9, 12, tzinfo=dt.timezone.utc)


@dataclass
class Generated:
    """Ids the page benchmark needs, and how long each part took to build."""

    project_id: int = 0
    lead_email: str = LEAD_EMAIL
    admin_email: str = ADMIN_EMAIL
    funder_email: str = ""  # a member with the funder's role: reads the published version
    password: str = PASSWORD
    step_id: int = 0
    link_id: int = 0
    item_id: int = 0
    claim_id: int = 0
    event_id: int = 0
    campaign_id: int = 0
    import_event_id: int = 0
    filter_step_id: int = 0
    published_number: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def sizes(scale: float) -> dict[str, int]:
    fixed = {"events", "claims", "tests_per_claim", "members"}  # what a team has, not what grows with data
    return {key: value if key in fixed else max(1, round(value * scale)) for key, value in BASE.items()}


def _batches(rows: list, size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def bulk(model, rows: list[dict]) -> list[int]:
    """INSERT the rows in batches; returns their ids in order."""
    ids: list[int] = []
    for chunk in _batches(rows):
        ids += db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), chunk).all()
    return ids


def bulk_plain(table, rows: list[dict]) -> None:
    for chunk in _batches(rows):
        db.session.execute(insert(table), chunk)


class Text:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def sentence(self, low: int = 6, high: int = 14) -> str:
        return self.words(self.rng.randint(low, high)).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))


def generate(scale: float = 1.0, seed: int = 1) -> Generated:
    """Create the project and commit; returns the ids and timings."""
    from bench.generate_evidence import add_assessments, add_claims, add_codebook, add_evidence, add_snapshots

    rng = random.Random(seed)
    say = Text(rng)
    n = sizes(scale)
    out = Generated(counts=n)
    clock = time.perf_counter()

    def lap(part: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        out.seconds[part] = now - clock
        clock = now

    project, lead, users = _project_and_members(n, say)
    out.project_id = project.id
    out.funder_email = next(user.email for index, user in enumerate(users) if index and role_of(index) is Role.FUNDER)
    lap("project, members")
    chain = _chain(project, n, rng, say)
    out.step_id, out.link_id = chain.step_ids[len(chain.step_ids) // 2], chain.link_ids[0]
    lap("chain")
    cards = _events_and_cards(project, chain, n, rng, say)
    out.event_id, out.import_event_id = cards.event_id, cards.other_event_id
    lap("events, cards")
    responses = _campaign(project, lead, cards, n, rng, say)
    out.campaign_id = responses.campaign_id
    lap("campaign, responses, outbox")
    item_ids = add_evidence(project, chain, cards, responses, users, n, rng, say)
    out.item_id = item_ids[len(item_ids) // 3]
    out.filter_step_id = chain.step_ids[0]
    lap("evidence")
    add_assessments(project, chain, lead, rng, say)
    lap("assessments")
    out.claim_id = add_claims(project, chain, item_ids, n, rng, say)
    lap("claims")
    add_codebook(project, chain, responses, rng)
    for number in range(1, 4):
        when = START + dt.timedelta(days=120 * number)
        save_revision(project, name=f"Revision {number}", revision_date=when.date(), note=say.sentence(), user=lead)
    lap("codebook, TOC revisions")
    db.session.commit()
    add_snapshots(project, lead, n, say)
    db.session.commit()
    lap("story snapshots")
    # What the project's funders read (bench/project_load.py loads it as one of them).
    out.published_number = new_version(project, "Interim report", lead).number
    db.session.commit()
    lap("published version")
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute on a production server (the test servers run without it):
        # without statistics the planner guesses, and the timings would be of a database nobody runs.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        lap("ANALYZE")
    return out


# Project and people --------------------------------------------------------------------------

def role_of(member: int) -> Role:
    """The role of the member numbered `member` (from 1; the lead is 0)."""
    roles = (Role.TEAM_MEMBER, Role.PRACTITIONER_RESEARCHER, Role.CO_RESEARCHER, Role.FUNDER)
    return roles[member % len(roles)]


def _project_and_members(n: dict, say: Text):
    lead = create_user(LEAD_EMAIL, "Lead Researcher", PASSWORD)
    create_user(ADMIN_EMAIL, "Site Admin", PASSWORD, is_admin=True)
    project = create_project(creator=lead, title="Benchmark project", question="Did the programme help?",
                             description=say.paragraph(3), funder="Bench Foundation",
                             organisation_names=[f"Council {letter}" for letter in "ABCDEF"])
    project.contribution_tracing = True
    groups = list(PartnerGroup)
    users = [lead]
    for index in range(1, n["members"]):
        user = create_user(f"member{index}@bench.example.org", f"Member {index}", PASSWORD)
        db.session.add(Membership(project_id=project.id, user=user, role=role_of(index),
                                  partner_group=groups[index % len(groups)],
                                  organisation=project.organisations[index % len(project.organisations)]))
        users.append(user)
    db.session.flush()
    return project, lead, users


# The chain ------------------------------------------------------------------------------------

@dataclass
class ChainIds:
    step_ids: list[int]
    step_level: dict[int, int]  # step id -> level position
    link_ids: list[int]
    link_ends: list[tuple[int, int]]
    assumption_ids: list[int]
    assumptions_by_link: dict[int, list[int]]
    factor_ids: list[int]


def _chain(project: Project, n: dict, rng: random.Random, say: Text) -> ChainIds:
    levels = list(project.levels)
    step_rows = []
    for index in range(n["steps"]):
        level = levels[index * len(levels) // n["steps"]]
        step_rows.append({"project_id": project.id, "level_id": level.id, "title": f"Step {index + 1}: {say.words(4)}",
                          "description": say.paragraph(2), "position": index})
    step_ids = bulk(Step, step_rows)
    position = {level.id: level.position for level in levels}
    step_level = {sid: position[row["level_id"]] for sid, row in zip(step_ids, step_rows, strict=True)}
    by_level: dict[int, list[int]] = {}
    for sid, level in step_level.items():
        by_level.setdefault(level, []).append(sid)

    # Links go one or two levels up the chain, as in a real theory of change.
    candidates = [(s, t) for s in step_ids for t in step_ids if 1 <= step_level[t] - step_level[s] <= 2]
    ends = rng.sample(candidates, min(n["links"], len(candidates)))
    link_ids = bulk(Link, [{"project_id": project.id, "source_step_id": s, "target_step_id": t,
                            "note": say.sentence()} for s, t in ends])
    assumption_rows = []
    for link_id in link_ids:
        assumption_rows.append({"link_id": link_id, "kind": AssumptionKind.ASSUMPTION, "text": say.sentence()})
        assumption_rows.append({"link_id": link_id, "kind": AssumptionKind.RISK, "text": say.sentence()})
    assumption_ids = bulk(Assumption, assumption_rows)
    assumptions_by_link: dict[int, list[int]] = {}
    for aid, row in zip(assumption_ids, assumption_rows, strict=True):
        assumptions_by_link.setdefault(row["link_id"], []).append(aid)
    factor_ids = bulk(InfluencingFactor, [
        {"project_id": project.id, "step_id": rng.choice(step_ids), "title": say.words(3).capitalize(),
         "description": say.sentence(), "direction": rng.choice(list(FactorDirection))}
        for _ in range(n["factors"])])
    return ChainIds(step_ids, step_level, link_ids, ends, assumption_ids, assumptions_by_link, factor_ids)


# Events and action cards --------------------------------------------------------------------

@dataclass
class CardIds:
    event_id: int
    other_event_id: int
    cards: list[tuple[int, PartnerGroup]]  # the first event's cards
    actions_of: dict[int, list[int]]  # card id -> its action ids
    steps_of: dict[int, list[int]]  # action id -> tagged step ids


def _events_and_cards(project: Project, chain: ChainIds, n: dict, rng: random.Random, say: Text) -> CardIds:
    kinds = list(EventKind)
    event_ids = bulk(Event, [
        {"project_id": project.id, "kind": kinds[index % len(kinds)], "title": f"Event {index + 1}: {say.words(3)}",
         "event_date": (START + dt.timedelta(days=60 * index)).date(), "place": "Town hall", "notes": say.sentence(),
         "card_form_open": index == 0} for index in range(n["events"])])
    bulk(EventAttendance, [{"event_id": eid, "partner_group": group, "attendees": rng.randint(5, 60)}
                           for eid in event_ids for group in PartnerGroup])

    # Most cards come from the big first event (the one followed up); a hundred or so from each other.
    first = max(n["followups"], n["cards"] - 100 * (len(event_ids) - 1))
    per_event = [first] + [max(0, (n["cards"] - first) // max(1, len(event_ids) - 1))] * (len(event_ids) - 1)
    groups = list(PartnerGroup)
    card_rows = []
    for eid, count in zip(event_ids, per_event, strict=True):
        for index in range(count):
            card_rows.append({"project_id": project.id, "event_id": eid, "email": f"person{index}.e{eid}@example.org",
                              "name": f"Person {index}", "organisation": f"Council {'ABCDEF'[index % 6]}",
                              "partner_group": groups[index % len(groups)], "source": CardSource.PAPER})
    card_ids = bulk(ActionCard, card_rows)
    action_rows = [{"project_id": project.id, "card_id": cid, "position": position, "text": say.sentence()}
                   for cid in card_ids for position in (1, 2)]
    action_ids = bulk(Action, action_rows)
    actions_of: dict[int, list[int]] = {}
    for aid, row in zip(action_ids, action_rows, strict=True):
        actions_of.setdefault(row["card_id"], []).append(aid)

    # Actions are about changes in capacity and practice: tag them to steps in the upper half of the chain.
    upper = [sid for sid in chain.step_ids if chain.step_level[sid] >= 4] or chain.step_ids
    steps_of = {aid: rng.sample(upper, rng.choice((1, 1, 2))) for aid in action_ids}
    bulk_plain(action_steps, [{"action_id": aid, "step_id": sid, "project_id": project.id}
                              for aid, sids in steps_of.items() for sid in sids])
    first_cards = [(cid, row["partner_group"]) for cid, row in zip(card_ids, card_rows, strict=True)
                   if row["event_id"] == event_ids[0]]
    return CardIds(event_ids[0], event_ids[-1], first_cards, actions_of, steps_of)


# The follow-up campaign ---------------------------------------------------------------------

@dataclass
class ResponseIds:
    campaign_id: int
    responses: list[tuple[int, int, PartnerGroup, bool, str]]  # response id, card id, group, consent, pseudonym


def _campaign(project: Project, lead, cards: CardIds, n: dict, rng: random.Random, say: Text) -> ResponseIds:
    send_at = START + dt.timedelta(days=30)
    campaign = Campaign(project_id=project.id, event_id=cards.event_id, subject="How did your actions go?",
                        message=say.paragraph(4), send_at=send_at, reminder_at=send_at + dt.timedelta(days=14),
                        closes_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=60), sent_at=send_at,
                        reminders_sent_at=send_at + dt.timedelta(days=14), created_by_id=lead.id)
    db.session.add(campaign)
    db.session.flush()
    followed = cards.cards[:n["followups"]]
    answered = set(range(min(n["responses"], len(followed))))
    followup_ids = bulk(FollowUp, [
        {"campaign_id": campaign.id, "card_id": cid, "sent_at": send_at,
         "reminded_at": None if index in answered else campaign.reminder_at}
        for index, (cid, _) in enumerate(followed)])
    outbox = []
    for index, ((cid, _), fid) in enumerate(zip(followed, followup_ids, strict=True)):
        body = say.paragraph(8)
        outbox.append({"kind": "followup", "to_address": f"card{cid}@example.org", "subject": campaign.subject,
                       "body_text": body, "body_html": f"<p>{body}</p>", "status": OutboxStatus.SENT, "attempts": 1,
                       "next_attempt_at": send_at, "created_at": send_at, "sent_at": send_at,
                       "about_kind": "followup", "about_id": fid})
        if index not in answered:
            outbox.append({**outbox[-1], "kind": "reminder", "created_at": campaign.reminder_at,
                           "sent_at": campaign.reminder_at})
    bulk(OutboxMessage, outbox)

    rows, meta = [], []
    for index in sorted(answered):
        cid, group = followed[index]
        consent = index % 3 == 0
        pseudonym = f"Respondent {index + 1}" if consent else ""
        when = send_at + dt.timedelta(days=3 + index % 20)
        rows.append({"followup_id": followup_ids[index], "helped": say.sentence(), "hindered": say.sentence(),
                     "anything_else": say.sentence() if index % 4 == 0 else "", "consent_to_quote": consent,
                     "pseudonym": pseudonym, "submitted_at": when, "updated_at": when})
        meta.append((cid, group, consent, pseudonym))
    response_ids = bulk(Response, rows)
    levels = list(Progress)
    bulk(ActionProgress, [{"response_id": rid, "action_id": aid, "progress": rng.choice(levels),
                           "helped": say.sentence() if rng.random() < 0.3 else "", "hindered": ""}
                          for rid, (cid, *_rest) in zip(response_ids, meta, strict=True)
                          for aid in cards.actions_of[cid]])
    return ResponseIds(campaign.id, [(rid, *m) for rid, m in zip(response_ids, meta, strict=True)])


def main() -> None:
    from bench import bench_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    with bench_app() as (app, backend):
        with app.app_context():
            made = generate(args.scale)
        print(f"Generated on {backend} at scale {args.scale}:")
        for part, seconds in made.seconds.items():
            print(f"  {part:<30} {seconds:6.1f} s")


if __name__ == "__main__":
    main()
