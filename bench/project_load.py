"""One large project's pages under load, warm and cold, at several scales, against the framework's floor.

    python -m bench.project_load [--scales 0.1 1 3] [--seconds 10] [--cold 20] [--connections 16]

For SQLite (a temporary file), and for the PostgreSQL database at BENCH_DATABASE_URL too when it is set
(its schema public is DROPPED and rebuilt), and for each scale:
1. generates the project (bench/generate.py, with contribution tracing, claims and a published version);
2. serves the floor (bench/floor_app.py: a bare Flask page, and one running one query) and then the app
   (bench/serve_app.py) with gunicorn, 2 sync workers each, logged in through the form as the lead (or
   as a funder, for the published report; the follow-up form needs no login);
3. for each page: warm, wrk for --seconds on --connections; warm conditional, the same with the page's
   ETag in If-None-Match when it sends one; cold, --cold requests one after another, each right after
   the project's change stamp is advanced in the database as every write advances it;
4. prints a table for each database and scale, and how the cold times grew from scale 1 to 3.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from sqlalchemy import create_engine, select, text

from bench import database_url, fresh_schema, make_app
from bench.load import BROWSER_HEADERS, WORKERS, WrkRun, gunicorn, http_request, login_cookie, wrk

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
RESPONDENTS = 16  # follow-ups whose form is posted in turn under load (each respondent amends their answer)
ADVANCE = text("UPDATE projects SET change_stamp = change_stamp + 1 WHERE id = :id")


@dataclass
class Page:
    name: str
    path: str
    viewer: str  # "lead", "funder", "public" or "floor"
    method: str = "GET"
    bodies: list[tuple[str, str]] = field(default_factory=list)  # POST: (path, body) sent in turn


@dataclass
class Measured:
    name: str
    viewer: str
    size_kb: float
    etag: bool
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    conditional_rps: float | None
    share_304: float | None
    cold_p50_ms: float
    cold_p99_ms: float


@dataclass
class Run:
    backend: str
    scale: float
    generated_s: float
    counts: dict[str, int]
    pages: list[Measured]

    def floor_rps(self) -> float:
        return next(m.rps for m in self.pages if m.viewer == "floor" and "query" in m.name)


def pages_of(made, respondents: list[tuple[str, str]]) -> list[Page]:
    """The pages loaded, in order (the follow-up form's POST writes, so it comes last)."""
    p = f"/projects/{made.project_id}"
    form_path, _ = respondents[0]
    return [
        Page("projects list", "/", "lead"),
        Page("project home", p, "lead"),
        Page("chain", f"{p}/chain/", "lead"),
        Page("step page", f"{p}/chain/steps/{made.step_id}", "lead"),
        Page("evidence library", f"{p}/evidence/", "lead"),
        Page("event tracking", f"{p}/events/{made.event_id}", "lead"),
        Page("report.json", f"{p}/report.json", "lead"),
        Page("gaps", f"{p}/story/gaps", "lead"),
        Page("tracing claim", f"{p}/tracing/claims/{made.claim_id}", "lead"),
        Page("live story", f"{p}/story/", "lead"),
        Page("published report", f"{p}/reports/{made.published_number}", "funder"),
        Page("coding workbench", f"{p}/coding", "lead"),
        Page("follow-up form", form_path, "public"),
        Page("follow-up form POST", form_path, "public", "POST", respondents),
    ]


def respondents_of(app, campaign_id: int, secret: str) -> list[tuple[str, str]]:
    """(path, body) of the follow-up form of the first RESPONDENTS follow-ups, each a complete answer,
    signed with the secret the served app signs with."""
    from impact.cards.models import Action
    from impact.extensions import db
    from impact.followups.models import FollowUp
    from impact.followups.tokens import make_token

    with app.app_context():
        app.config["SECRET_KEY"] = secret
        followups = db.session.execute(select(FollowUp.id, FollowUp.card_id).where(FollowUp.campaign_id == campaign_id)
                                       .order_by(FollowUp.id).limit(RESPONDENTS)).all()
        actions = db.session.execute(select(Action.card_id, Action.id)
                                     .where(Action.card_id.in_([card for _, card in followups]))
                                     .order_by(Action.card_id, Action.position)).all()
        out = []
        for followup_id, card_id in followups:
            answer = {"helped": "My manager gave me time.", "hindered": "", "anything_else": "",
                      "submit": "Send my answers"}
            for card, action_id in actions:
                if card == card_id:
                    answer |= {f"progress_{action_id}": "some", f"helped_{action_id}": "Supervision.",
                               f"hindered_{action_id}": ""}
            out.append((f"/followup/{make_token(followup_id)}", urlencode(answer)))
        db.session.remove()
    return out


def percentile(values: list[float], which: float) -> float:
    """Nearest rank: of 20 values, the 99th percentile is the largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(which / 100 * len(ordered)) - 1)]


def cold(base: str, page: Page, headers: dict[str, str], engine, project_id: int, times: int) -> list[float]:
    """Each request right after the project's stamp moved, as after any write; ms, the request alone."""
    elapsed = []
    for turn in range(times):
        with engine.begin() as connection:
            connection.execute(ADVANCE, {"id": project_id})
        path, body = page.bodies[turn % len(page.bodies)] if page.bodies else (page.path, None)
        start = time.perf_counter()
        answer = http_request(base, path, headers, page.method, body)
        elapsed.append((time.perf_counter() - start) * 1000)
        if answer.status != 200:
            raise SystemExit(f"{page.name}: cold {page.method} {path} answered {answer.status}")
    return elapsed


def with_new_cookie(headers: dict[str, str], answer) -> dict[str, str]:
    """The headers with the session cookie the answer set, as a browser keeps it: a page with a form gives
    the session its CSRF secret, and a client that never took the cookie would get a new secret (and so a
    new page and ETag) every time."""
    cookie = answer.headers.get("Set-Cookie")
    return {**headers, "Cookie": cookie.split(";", 1)[0]} if cookie else headers


def measure(base: str, page: Page, headers: dict[str, str], engine, project_id: int, args) -> Measured:
    headers = {**BROWSER_HEADERS, **headers}  # the ETag asked for below is the one a browser's requests get
    if page.method == "POST":
        headers = {**headers, **FORM}
    first_path, first_body = page.bodies[0] if page.bodies else (page.path, None)
    first = http_request(base, first_path, headers, page.method, first_body)  # compiles the templates
    if first.status != 200:
        raise SystemExit(f"{page.name}: {page.method} {first_path} answered {first.status}")
    headers = with_new_cookie(headers, first)
    requests = [(page.method, path, body) for path, body in page.bodies] or [("GET", page.path, None)]
    warm: WrkRun = wrk(base, requests, headers, args.seconds, args.connections)
    etag = first.headers.get("ETag")
    conditional = None
    if etag and page.method == "GET":
        # Asked again now: a page that shows the time has a new ETag each minute, and the warm run may have
        # crossed one (every request of the conditional run would then be a 200).
        etag = http_request(base, page.path, headers).headers.get("ETag", etag)
        conditional = wrk(base, requests, {**headers, "If-None-Match": etag}, args.seconds, args.connections)
    cold_ms = cold(base, page, headers, engine, project_id, args.cold)
    return Measured(page.name, page.viewer, len(first.body) / 1024, bool(etag), warm.rps, warm.p50_ms, warm.p99_ms,
                    warm.errors() + (conditional.errors((200, 304)) if conditional else 0),
                    conditional.rps if conditional else None, conditional.share(304) if conditional else None,
                    statistics.median(cold_ms), percentile(cold_ms, 99))


def run_one(url: str, upload_dir: str, scale: float, args) -> Run:
    from bench.generate import generate
    from impact.extensions import db

    app = make_app(url, upload_dir)
    fresh_schema(app)
    start = time.perf_counter()
    with app.test_request_context():
        made = generate(scale)
        backend = db.engine.dialect.name
        db.session.remove()
    generated = time.perf_counter() - start
    print(f"\nGenerated the project on {backend} at scale {scale:g} in {generated:.0f} s: "
          + ", ".join(f"{key} {value:,}" for key, value in made.counts.items()), flush=True)
    secret = secrets.token_hex(32)
    respondents = respondents_of(app, made.campaign_id, secret)
    with app.app_context():
        db.engine.dispose()
    env = {"BENCH_SERVE_DATABASE_URL": url, "BENCH_SERVE_SECRET_KEY": secret, "BENCH_SERVE_UPLOADS": upload_dir}
    engine = create_engine(url)
    results = []
    try:
        with gunicorn("bench.floor_app", env) as floor:
            for page in (Page("bare Flask page", "/plain", "floor"), Page("bare Flask + 1 query", "/query", "floor")):
                results.append(measure(floor, page, {}, engine, made.project_id, args))
        with gunicorn("bench.serve_app", env) as site:
            cookies = {"lead": {"Cookie": login_cookie(site, made.lead_email, made.password)},
                       "funder": {"Cookie": login_cookie(site, made.funder_email, made.password)}, "public": {}}
            for page in pages_of(made, respondents):
                if args.only and args.only not in page.name:
                    continue
                results.append(measure(site, page, cookies[page.viewer], engine, made.project_id, args))
                print(f"  {page.name}: done", flush=True)
    finally:
        engine.dispose()
    return Run(backend, scale, generated, made.counts, results)


def _n(value: float | None, spec: str = ",.0f") -> str:
    return "—" if value is None else format(value, spec)


def print_run(run: Run, args) -> None:
    floor = run.floor_rps()
    print(f"\n{run.backend}, scale {run.scale:g} (generated in {run.generated_s:.0f} s). gunicorn, {WORKERS} sync "
          f"workers; warm: wrk, 2 threads, {args.connections} connections, {args.seconds} s; cold: {args.cold} "
          "requests on one connection, each after the project's change stamp moved:\n")
    print("| page | as | req/s | share of floor | p50 ms | p99 ms | conditional req/s | 304s "
          "| cold p50 ms | cold p99 ms | errors | KB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m in run.pages:
        conditional = _n(m.conditional_rps) if m.etag else "no ETag"
        share_304 = _n(m.share_304, ".0%") if m.etag else "—"
        print(f"| {m.name} | {m.viewer} | {m.rps:,.0f} | {m.rps / floor:.3f} | {m.p50_ms:,.1f} | {m.p99_ms:,.1f} "
              f"| {conditional} | {share_304} | {m.cold_p50_ms:,.1f} | {m.cold_p99_ms:,.1f} | {m.errors} "
              f"| {m.size_kb:,.1f} |")


def growth_scales(scales: list[float]) -> tuple[float, float] | None:
    """Scale 1 to 3 as the issue asks; else the smallest to the largest run."""
    if 1 in scales and 3 in scales:
        return 1.0, 3.0
    return (min(scales), max(scales)) if len(set(scales)) > 1 else None


def print_growth(runs: list[Run]) -> None:
    pair = growth_scales([run.scale for run in runs])
    if pair is None:
        return
    low, high = pair
    for backend in dict.fromkeys(run.backend for run in runs):
        small = next(run for run in runs if run.backend == backend and run.scale == low)
        large = next(run for run in runs if run.backend == backend and run.scale == high)
        print(f"\nCold growth on {backend}, scale {low:g} → {high:g} (the data grows ×{high / low:g}; "
              "×1 is a page whose cold cost does not grow with it):\n")
        print(f"| page | cold p50 ms at {low:g} | at {high:g} | growth | cold p99 ms at {low:g} | at {high:g} "
              "| growth |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        before = {m.name: m for m in small.pages}
        for m in large.pages:
            if (b := before.get(m.name)) is not None:
                print(f"| {m.name} | {b.cold_p50_ms:,.1f} | {m.cold_p50_ms:,.1f} "
                      f"| ×{m.cold_p50_ms / b.cold_p50_ms:.2f} | {b.cold_p99_ms:,.1f} | {m.cold_p99_ms:,.1f} "
                      f"| ×{m.cold_p99_ms / b.cold_p99_ms:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0, 3.0])
    parser.add_argument("--seconds", type=int, default=10, help="warm load per page (default 10 s; 5 for a quick run)")
    parser.add_argument("--cold", type=int, default=20, help="cold requests per page (default 20)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="load only the pages whose name contains this")
    parser.add_argument("--json", default="", help="also write every figure to this JSON file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make load-tools` installs it (Debian's wrk package)")
    runs = []
    with tempfile.TemporaryDirectory(prefix="impact-load-") as tmp_dir:
        urls = [f"sqlite:///{tmp_dir}/bench.db"]  # then PostgreSQL, whose schema each scale rebuilds
        if os.environ.get("BENCH_DATABASE_URL", "").strip():
            urls.append(database_url(tmp_dir))
        for url in urls:
            for scale in args.scales:
                here = url.replace("bench.db", f"bench-{scale:g}.db")  # SQLite: a new file a scale
                runs.append(run_one(here, f"{tmp_dir}/uploads", scale, args))
                print_run(runs[-1], args)
                if here.startswith("sqlite:"):
                    os.remove(here.removeprefix("sqlite:///"))
    print_growth(runs)
    if args.json:
        with open(args.json, "w") as out:
            json.dump([asdict(run) for run in runs], out, indent=1)


if __name__ == "__main__":
    main()
