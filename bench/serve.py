"""The portfolio at full scale, served as in production, under load, against the framework's own floor.

    python -m bench.serve [--projects 500] [--seconds 10] [--connections 8]

1. Generates the portfolio (bench/portfolio.py) on SQLite, and on the PostgreSQL database at
   BENCH_DATABASE_URL too when it is set (its schema public is DROPPED and rebuilt).
2. Serves the app with gunicorn (2 sync workers, as `gunicorn wsgi:app` runs), and beside it, served
   the same way, a bare Flask app with two pages: one that only answers, and one that runs one SQL
   query on the same database (bench/floor_app.py).
3. Loads each page with wrk (a local HTTP load generator: `make bench` installs it) for --seconds,
   printing requests per second, latency percentiles, and the rate as a share of the one-query floor.
4. Times a 10,000-row card import, and the export and re-import of the largest project.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass

from bench import database_url, fresh_schema, make_app
from bench.load import BROWSER_HEADERS, WORKERS, gunicorn, http_request, login_cookie
from bench.load import wrk as load_with_wrk


@dataclass
class Load:
    name: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    size_kb: float


def wrk(name: str, base: str, path: str, headers: dict[str, str], seconds: int, connections: int) -> Load:
    answer = http_request(base, path, {**BROWSER_HEADERS, **headers})  # a warm-up, and the page must answer 200
    if answer.status != 200:
        raise SystemExit(f"{name}: {path} answered {answer.status}")
    run = load_with_wrk(base, [("GET", path, None)], headers, seconds, connections)
    errors = run.errors(tuple(range(200, 400)))  # as wrk counts them: any 2xx or 3xx is an answer
    return Load(name, run.rps, run.p50_ms, run.p90_ms, run.p99_ms, errors, len(answer.body) / 1024)


def serve_and_load(url: str, made, token: str, seconds: int, connections: int, upload_dir: str) -> list[Load]:
    secret = secrets.token_hex(32)
    env = {"BENCH_SERVE_DATABASE_URL": url, "BENCH_SERVE_SECRET_KEY": secret, "BENCH_SERVE_UPLOADS": upload_dir}
    results = []
    with gunicorn("bench.floor_app", env) as floor:
        results.append(wrk("bare Flask page", floor, "/plain", {}, seconds, connections))
        results.append(wrk("bare Flask + 1 query", floor, "/query", {}, seconds, connections))
    big = made.big
    with gunicorn("bench.serve_app", env) as site:
        funder = {"Cookie": login_cookie(site, made.funder_email, made.password)}
        lead = {"Cookie": login_cookie(site, big.lead_email, big.password)}
        api = {"Authorization": f"Bearer {token}"}
        for name, path, headers in (
            ("portfolio (funder)", "/portfolio", funder),
            ("published report (funder)", f"/projects/{big.project_id}/reports/{made.published_number}", funder),
            ("step page (lead)", f"/projects/{big.project_id}/chain/steps/{big.step_id}", lead),
            ("project home (lead)", f"/projects/{big.project_id}", lead),
            ("coding workbench (lead)", f"/projects/{big.project_id}/coding", lead),
            ("report.json (lead)", f"/projects/{big.project_id}/report.json", lead),
            ("API evidence list", f"/api/v1/projects/{big.project_id}/evidence", api),
        ):
            results.append(wrk(name, site, path, headers, seconds, connections))
    return results


def print_loads(backend: str, results: list[Load], seconds: int, connections: int) -> None:
    floor = next(r.rps for r in results if r.name == "bare Flask + 1 query")
    print(f"\nServed by gunicorn ({WORKERS} sync workers) on {backend}; wrk, 2 threads, {connections} connections, "
          f"{seconds} s each:\n")
    print("| page | requests/s | share of 1-query floor | p50 ms | p90 ms | p99 ms | errors | size KB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.name} | {r.rps:,.0f} | {r.rps / floor:.2f} | {r.p50_ms:.1f} | {r.p90_ms:.1f} | {r.p99_ms:.1f} "
              f"| {r.errors} | {r.size_kb:.1f} |")


def time_transfer(app, project_id: int) -> None:
    """Export the largest project, delete it, import the file back: an installation's move or restore."""
    from impact.extensions import db
    from impact.projects.models import Project
    from impact.transfer.document import export_project, import_project

    with app.test_request_context():
        start = time.perf_counter()
        document = json.dumps(export_project(project_id), default=str)
        exported = time.perf_counter() - start
        db.session.delete(db.session.get(Project, project_id))
        db.session.commit()
        start = time.perf_counter()
        import_project(json.loads(document))
        db.session.commit()
        imported = time.perf_counter() - start
    print(f"\nThe largest project as a file: export {exported:.1f} s ({len(document) / 2**20:.1f} MB of JSON), "
          f"import into an installation without it {imported:.1f} s.")


def run(url: str, upload_dir: str, args) -> None:
    from bench.import_cards import time_import
    from bench.portfolio import generate_portfolio
    from impact.api.tokens import create_token
    from impact.auth.services import find_user_by_email
    from impact.extensions import db

    app = make_app(url, upload_dir)
    fresh_schema(app)
    start = time.perf_counter()
    with app.test_request_context():
        made = generate_portfolio(args.projects, args.big_scale)
        _, token = create_token(find_user_by_email(made.big.lead_email), "bench")
        db.session.commit()
        backend = db.engine.dialect.name
    print(f"\nGenerated the portfolio on {backend} in {time.perf_counter() - start:.0f} s: {made.counts}")
    for part, seconds in made.seconds.items():
        print(f"  {part}: {seconds:.0f} s")
    results = serve_and_load(url, made, token, args.seconds, args.connections, upload_dir)
    print_loads(backend, results, args.seconds, args.connections)
    time_import(app, made.big, rows=10_000)
    time_transfer(app, made.big.project_id)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--big-scale", type=float, default=2.0, help="size of the largest project (generate.py)")
    parser.add_argument("--seconds", type=int, default=10, help="load per page (default 10 s)")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian's wrk package)")
    with tempfile.TemporaryDirectory(prefix="impact-serve-") as tmp_dir:
        run(f"sqlite:///{tmp_dir}/bench.db", f"{tmp_dir}/uploads", args)
        if os.environ.get("BENCH_DATABASE_URL", "").strip():
            run(database_url(tmp_dir), f"{tmp_dir}/uploads", args)


if __name__ == "__main__":
    main()

