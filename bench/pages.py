"""Time the important pages, and the card import, on one large generated project.

    python -m bench.pages [--scale 1] [--repeat 5] [--only evidence] [--json out.json] [--cold]

The database is SQLite in a temporary file, or the PostgreSQL database at BENCH_DATABASE_URL
(its schema public is DROPPED and rebuilt from the migrations). Pages are requested through
Flask's test client, logged in through the real login form, so every request runs the whole
app: routing, the permission check, the queries, the template. With --cold the project's change
stamp moves before each timed request (as bench/project_load.py's cold requests), so a kept page is
rendered from the database each time rather than served from the cache.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import text

from bench import bench_app, counting_statements
from bench.generate import Generated, generate
from bench.import_cards import time_import


@dataclass
class Result:
    name: str
    times_ms: list[float]
    statements: list[int]
    size_kb: float
    sql: list[str]  # the statements of the last request, to tell two runs apart

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def statement_text(self) -> str:
        low, high = min(self.statements), max(self.statements)
        return str(low) if low == high else f"{low}-{high}"


def pages(made: Generated) -> list[tuple[str, str, bool]]:
    """(name, path, as the site admin?) of each page to time."""
    p = f"/projects/{made.project_id}"
    event = f"{p}/events/{made.event_id}"
    return [
        ("projects list", "/", False),
        ("project home (dashboard)", p, False),
        ("coding workbench", f"{p}/coding", False),
        ("chain", f"{p}/chain/", False),
        ("step page", f"{p}/chain/steps/{made.step_id}", False),
        ("link page", f"{p}/chain/links/{made.link_id}", False),
        ("evidence library", f"{p}/evidence/", False),
        ("evidence search", f"{p}/evidence/?q=supervision", False),
        ("evidence filter", f"{p}/evidence/?step={made.filter_step_id}&partner_group=practitioner&stance=supports",
         False),
        ("evidence item", f"{p}/evidence/{made.item_id}", False),
        ("assessment overview", f"{p}/assessment/", False),
        ("gaps", f"{p}/story/gaps", False),
        ("story", f"{p}/story/", False),
        ("snapshot compare", f"{p}/story/compare?old=1&new=current", False),
        ("tracing index", f"{p}/tracing/", False),
        ("claim", f"{p}/tracing/claims/{made.claim_id}", False),
        ("claim item search", f"{p}/tracing/claims/{made.claim_id}?item_q=seminar", False),
        ("events list", f"{p}/events/", False),
        ("event tracking", event, False),
        ("cards list", f"{event}/cards/", False),
        ("bulk tags", f"{event}/cards/tags", False),
        ("campaign", f"{event}/followups/{made.campaign_id}", False),
        ("report.json", f"{p}/report.json", False),
        ("outbox", "/admin/outbox/", True),
    ]


def _login(app, email: str, password: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"Logging in as {email} failed: {response.status_code}")
    return client


ADVANCE = text("UPDATE projects SET change_stamp = change_stamp + 1 WHERE id = :id")


def time_pages(app, made: Generated, repeat: int, only: str = "", cold: bool = False) -> list[Result]:
    from impact.extensions import db

    with app.app_context():
        engine = db.engine
    # No app context is active from here on: each request gets its own, and its own database
    # session, as in production (a shared session would serve later requests from its cache).
    lead = _login(app, made.lead_email, made.password)
    admin = _login(app, made.admin_email, made.password)
    results = []
    for name, path, as_admin in pages(made):
        if only and only not in name:
            continue
        client = admin if as_admin else lead
        warm = client.get(path)  # compiles the templates; not counted
        if warm.status_code != 200:
            raise SystemExit(f"{name}: GET {path} answered {warm.status_code}")
        times, counts = [], []
        for _ in range(repeat):
            if cold:  # what every write to the project does; not timed
                with engine.begin() as connection:
                    connection.execute(ADVANCE, {"id": made.project_id})
            with counting_statements(engine) as statements:
                start = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - start
            assert response.status_code == 200, f"{name}: GET {path} answered {response.status_code}"
            times.append(elapsed * 1000)
            counts.append(len(statements))
        results.append(Result(name, times, counts, len(response.data) / 1024, list(statements)))
    return results


def print_table(backend: str, scale: float, repeat: int, results: list[Result], cold: bool = False) -> None:
    each = "each after a change" if cold else "after one warm-up"
    print(f"\nPages on {backend}, scale {scale:g}, {repeat} requests each ({each}):\n")
    print(f"| {'page':<20} | {'median ms':>9} | {'max ms':>8} | {'SQL/request':>11} | {'size KB':>8} |")
    print(f"|{'-' * 22}|{'-' * 10}:|{'-' * 9}:|{'-' * 12}:|{'-' * 9}:|")
    for r in results:
        print(f"| {r.name:<20} | {r.median:>9.0f} | {max(r.times_ms):>8.0f} | {r.statement_text:>11} "
              f"| {r.size_kb:>8.1f} |")


def write_json(path: str, backend: str, scale: float, repeat: int, results: list[Result]) -> None:
    """The page results as JSON, so that two runs (say before and after a change) can be diffed."""
    pages_out = [{"page": r.name, "median_ms": round(r.median, 1), "max_ms": round(max(r.times_ms), 1),
                  "statements": r.statements, "sql_per_request": r.statement_text,
                  "size_kb": round(r.size_kb, 1), "last_request_sql": r.sql} for r in results]
    with open(path, "w") as out:
        json.dump({"backend": backend, "scale": scale, "repeat": repeat, "pages": pages_out}, out, indent=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="data size; 1 = 5,000 evidence items (default)")
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (default 5)")
    parser.add_argument("--only", default="", help="time only the pages whose name contains this")
    parser.add_argument("--no-import", action="store_true", help="skip timing the card import")
    parser.add_argument("--json", default="", help="also write the page results to this JSON file")
    parser.add_argument("--cold", action="store_true", help="move the project's change stamp before each request")
    args = parser.parse_args()

    with bench_app() as (app, backend):
        start = time.perf_counter()
        with app.app_context():
            made = generate(args.scale)
        print(f"Generated the project on {backend} at scale {args.scale:g} in {time.perf_counter() - start:.1f} s:")
        print("  " + ", ".join(f"{key} {value:,}" for key, value in made.counts.items()))
        print("  " + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in made.seconds.items()))
        results = time_pages(app, made, args.repeat, args.only, args.cold)
        print_table(backend, args.scale, args.repeat, results, args.cold)
        if args.json:
            write_json(args.json, backend, args.scale, args.repeat, results)
        if not args.no_import:
            time_import(app, made)


if __name__ == "__main__":
    main()
