"""A funder's portfolio at scale: the largest project of bench/generate.py and hundreds of smaller ones.

At the defaults, 500 projects hold 100,000 action cards and 50,000 evidence items in all: one large
project (generate.py's, at --big-scale 2: 4,000 cards, 10,000 items) and 499 of about 190 cards and 80
items each, every one with a chain, an event, a follow-up campaign with responses, assessments and a
published report version. One funder belongs to all of them. The data is the same on every run.

    python -m bench.portfolio --projects 500    # fills BENCH_DATABASE_URL, or a throwaway SQLite
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass, field

from sqlalchemy import text

from bench.generate import (
    PASSWORD,
    Generated,
    Text,
    _campaign,
    _chain,
    _events_and_cards,
    generate,
)
from bench.generate_evidence import add_assessments, add_evidence
from impact.auth.services import create_user
from impact.extensions import db
from impact.projects.models import Membership, PartnerGroup, Project, Role
from impact.projects.services import create_project
from impact.publishing.services import new_version

FUNDER_EMAIL = "funder@bench.example.org"
PROGRAMMES = ("Children and families", "Adult social care", "Justice", "Housing")
TOTAL_CARDS, TOTAL_ITEMS = 100_000, 50_000


@dataclass
class Portfolio:
    big: Generated
    funder_email: str = FUNDER_EMAIL
    password: str = PASSWORD
    published_number: int = 1
    project_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def small_sizes(projects: int, big: dict[str, int]) -> dict[str, int]:
    """Sizes of each smaller project, so that all of them with the big one reach the totals."""
    others = max(1, projects - 1)
    cards = max(10, (TOTAL_CARDS - big["cards"]) // others)
    items = max(10, (TOTAL_ITEMS - big["items"]) // others)
    return {"steps": 12, "links": 16, "factors": 6, "events": 2, "cards": cards, "followups": cards * 3 // 4,
            "responses": cards // 3, "items": items, "evidence_links": items * 3}


def generate_portfolio(projects: int = 500, big_scale: float = 2.0, seed: int = 7) -> Portfolio:
    clock = time.perf_counter()
    big = generate(big_scale)
    db.session.commit()
    out = Portfolio(big=big)
    out.seconds["largest project"] = time.perf_counter() - clock
    clock = time.perf_counter()

    rng = random.Random(seed)
    say = Text(rng)
    funder = create_user(FUNDER_EMAIL, "Programme funder", PASSWORD)
    lead = db.session.get(Project, big.project_id).memberships[0].user
    _publish(db.session.get(Project, big.project_id), funder, lead, PROGRAMMES[0])
    out.project_ids.append(big.project_id)
    n = small_sizes(projects, big.counts)
    out.counts = {"projects": projects, **{f"each {key}": value for key, value in n.items()}}
    for index in range(1, projects):
        project_lead = create_user(f"lead{index}@bench.example.org", f"Lead {index}", PASSWORD)
        project = create_project(creator=project_lead, title=f"Project {index}: {say.words(4)}",
                                 question="Did the programme help?", description=say.paragraph(2),
                                 funder="Bench Foundation",
                                 organisation_names=[f"Council {'ABCDEFGH'[index % 8]}"])
        project.start_date = dt.date(2020 + index % 6, 1 + index % 12, 1)
        chain = _chain(project, n, rng, say)
        cards = _events_and_cards(project, chain, n, rng, say)
        responses = _campaign(project, project_lead, cards, n, rng, say)
        add_evidence(project, chain, cards, responses, [project_lead], n, rng, say)
        add_assessments(project, chain, project_lead, rng, say)
        _publish(project, funder, project_lead, PROGRAMMES[index % len(PROGRAMMES)])
        out.project_ids.append(project.id)
        if index % 50 == 0:
            db.session.commit()
            db.session.expunge_all()
            funder = db.session.merge(funder)
    db.session.commit()
    out.seconds[f"{projects - 1} more projects, each published"] = time.perf_counter() - clock
    if db.engine.dialect.name == "postgresql":
        clock = time.perf_counter()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        out.seconds["ANALYZE"] = time.perf_counter() - clock
    return out


def _publish(project, funder, lead, programme: str) -> None:
    project.programme = programme
    db.session.add(Membership(project_id=project.id, user_id=funder.id, role=Role.FUNDER,
                              partner_group=PartnerGroup.FUNDER))
    db.session.flush()
    new_version(project, "Interim report", lead)
    db.session.flush()


def main() -> None:
    from bench import bench_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--big-scale", type=float, default=2.0)
    args = parser.parse_args()
    with bench_app() as (app, backend):
        with app.test_request_context():
            made = generate_portfolio(args.projects, args.big_scale)
        print(f"Generated the portfolio on {backend}: {made.counts}")
        for part, seconds in made.seconds.items():
            print(f"  {part:<40} {seconds:6.1f} s")


if __name__ == "__main__":
    main()
