"""The public follow-up form (issue 15): GET and POST through the test client, beside the framework's floor.

    python -m bench.respond [--scale 1] [--repeat 200] [--profile get|post|amend]

Builds the benchmark project (bench/generate.py), then times, with CSRF and the public forms' rate limit
on (as in production; the limit raised so the run is not refused), each through Flask's test client in
its own app context and database session:

- the floor: a bare Flask page running one SQL query on the same database (bench/floor_app.py);
- the form opened by a respondent who has not answered yet, and by one who has (to amend);
- the form sent by a new respondent agreeing to be quoted (a pseudonym claimed), each time another one;
- an amendment of an earlier answer.

--profile runs cProfile over the requests of one of them and prints the functions that cost most.
--serve instead serves the app and the floor with gunicorn (2 sync workers, bench/serve.py) and loads each
with wrk for --seconds: requests per second as a share of the floor's, as issue 15 states its target.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import tempfile
import time
from urllib.parse import urlencode

from sqlalchemy import select

from bench import bench_app, counting_statements
from bench.generate import generate

RATE = "1000000 per minute"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _targets(app, made, count: int):
    """(links of follow-ups nobody answered, links of answered ones): each (link, its action ids, the CSRF token
    its form carries, bound to the link)."""
    from impact.cards.models import Action
    from impact.extensions import db
    from impact.followups.models import FollowUp, Response
    from impact.followups.tokens import form_token, make_token

    with app.app_context():
        answered = set(db.session.scalars(select(Response.followup_id)))
        rows = db.session.execute(select(FollowUp.id, FollowUp.card_id).where(FollowUp.campaign_id == made.campaign_id)
                                  .order_by(FollowUp.id)).all()
        actions: dict[int, list[int]] = {}
        for card_id, action_id in db.session.execute(select(Action.card_id, Action.id).order_by(Action.id)):
            actions.setdefault(card_id, []).append(action_id)
        fresh = [(make_token(fid), actions[cid]) for fid, cid in rows if fid not in answered][:count]
        old = [(make_token(fid), actions[cid]) for fid, cid in rows if fid in answered][:count]
        fresh, old = ([(link, ids, form_token(link)) for link, ids in links] for links in (fresh, old))
        db.session.remove()
    return fresh, old


def _answers(action_ids: list[int], csrf: str) -> dict:
    data = {"csrf_token": csrf, "helped": "Time in team meetings", "hindered": "", "anything_else": "",
            "consent_to_quote": "y"}
    for action_id in action_ids:
        data |= {f"progress_{action_id}": "some", f"helped_{action_id}": "My manager", f"hindered_{action_id}": ""}
    return data


def _timed(engine, send, expect: int):
    with counting_statements(engine) as statements:
        start, cpu = time.perf_counter(), time.process_time()
        response = send()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == expect, (response.status_code, response.get_data(as_text=True)[:2000])
    return elapsed * 1000, len(statements), cpu * 1000


def _summary(name: str, runs: list[tuple[float, int, float]]) -> None:
    times = sorted(ms for ms, _, _ in runs)
    low, high = min(n for _, n, _ in runs), max(n for _, n, _ in runs)
    counts = str(low) if low == high else f"{low}-{high}"
    cpu = statistics.median(cpu for _, _, cpu in runs)
    print(f"| {name:<32} | {statistics.median(times):>7.2f} | {times[len(times) // 10]:>6.2f} | "
          f"{times[len(times) * 9 // 10]:>6.2f} | {cpu:>7.2f} | {counts:>10} |")


# Each wrk thread sends every other one of the (path, body) pairs, so none is sent twice until all are.
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = [==[%s]==]
local items = {%s}
local threads = 0
function setup(thread) thread:set("first", threads); threads = threads + 1 end
function init(args) sent = 0 end
function request()
  local item = items[(first + 2 * sent) %% #items + 1]
  sent = sent + 1
  return wrk.format(nil, item[1], nil, item[2])
end
"""


def serve(app, made, args) -> None:
    from bench import load
    from bench.load import gunicorn
    from bench.serve import Load, wrk

    def posted(name, site, posts):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        run = load.wrk(site, [("POST", path, body) for path, body in posts], form, args.seconds, 8)
        return Load(name, run.rps, run.p50_ms, run.p90_ms, run.p99_ms, run.errors(tuple(range(200, 400))), 0)

    fresh, old = _targets(app, made, 100_000)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with tempfile.TemporaryDirectory(prefix="impact-respond-") as tmp:
        env = {"BENCH_SERVE_DATABASE_URL": url, "BENCH_SERVE_SECRET_KEY": app.config["SECRET_KEY"],
               "BENCH_SERVE_UPLOADS": f"{tmp}/uploads", "BENCH_SERVE_CSRF": "1"}
        results = []
        with gunicorn("bench.floor_app", env) as floor:
            results.append(wrk("bare Flask + 1 query (the floor)", floor, "/query", {}, args.seconds, 8))
        with gunicorn("bench.serve_app", env) as site:
            page = load.http_request(site, f"/followup/{fresh[-1][0]}", {}).body.decode()
            assert CSRF.search(page).group(1) == fresh[-1][2], "the form's token is not the link's"
            results.append(wrk("GET, not answered yet", site, f"/followup/{fresh[0][0]}", {}, args.seconds, 8))
            results.append(wrk("GET, answered (to amend)", site, f"/followup/{old[0][0]}", {}, args.seconds, 8))
            results.append(posted("POST, amendment", site,
                                  [(f"/followup/{old[0][0]}", urlencode(_answers(old[0][1], old[0][2])))]))
            results.append(posted("POST, new answer, quoted", site,
                                  [(f"/followup/{token}", urlencode(_answers(actions, csrf)))
                                   for token, actions, csrf in fresh[1:-1]]))
    floor_rps = results[0].rps
    print(f"\nServed by gunicorn (2 sync workers), wrk 2 threads, 8 connections, {args.seconds} s each; "
          f"{len(fresh) - 2} respondents had not answered (new answers past them amend):\n")
    print("| request | requests/s | share of floor | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.name} | {r.rps:,.0f} | {r.rps / floor_rps:.3f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |")


def run(args) -> None:
    os.environ.setdefault("BENCH_SERVE_DATABASE_URL", "")
    with bench_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, PUBLIC_FORM_RATE_LIMIT=RATE) as (app, backend):
        from impact.extensions import db

        with app.app_context():
            made = generate(args.scale)
            engine = db.engine
            url = engine.url.render_as_string(hide_password=False)
        if args.serve:
            serve(app, made, args)
            return
        os.environ["BENCH_SERVE_DATABASE_URL"] = url
        from bench import floor_app

        # Enough fresh respondents for every new answer sent (the warm-up and profile included).
        fresh, old = _targets(app, made, 3 * args.repeat + 10)
        client = app.test_client()
        first = client.get(f"/followup/{fresh[0][0]}")
        assert CSRF.search(first.get_data(as_text=True)).group(1) == fresh[0][2], "the form's token is not the link's"
        floor = floor_app.app.test_client()
        cases = {
            "floor (bare Flask + 1 query)": lambda i: _timed(floor_app.engine, lambda: floor.get("/query"), 200),
            "GET, not answered yet": lambda i: _timed(engine, lambda: client.get(f"/followup/{fresh[i][0]}"), 200),
            "GET, answered (to amend)": lambda i: _timed(engine, lambda: client.get(f"/followup/{old[i][0]}"), 200),
            "POST, new answer, quoted": lambda i: _timed(engine, lambda: client.post(
                f"/followup/{fresh[i][0]}", data=_answers(fresh[i][1], fresh[i][2])), 200),
            "POST, amendment": lambda i: _timed(engine, lambda: client.post(
                f"/followup/{old[i][0]}", data=_answers(old[i][1], old[i][2])), 200),
        }
        if args.profile:
            name = {"get": "GET, not answered yet", "post": "POST, new answer, quoted", "amend": "POST, amendment",
                    "floor": "floor (bare Flask + 1 query)"}[args.profile]
            case = cases[name]
            case(0)
            offset = args.repeat + 1 if args.profile == "post" else 1
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(args.repeat):
                case(offset + i)
            profiler.disable()
            print(f"\n{name} on {backend}, {args.repeat} requests:")
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
            return
        print(f"\nThe follow-up form on {backend}, scale {args.scale:g}, {args.repeat} requests each (test client; ms, "
              "CPU the process's):\n")
        print(f"| {'request':<32} | {'median':>7} | {'p10':>6} | {'p90':>6} | {'CPU':>7} | statements |")
        print(f"|{'-' * 34}|{'-' * 8}:|{'-' * 7}:|{'-' * 7}:|{'-' * 8}:|{'-' * 11}:|")
        medians = {}
        for name, case in cases.items():
            case(0)  # warm: templates compiled, connections pooled
            # POSTs of new answers take fresh respondents each: those after the warm-up and the GETs' ones.
            offset = 2 * args.repeat + 5 if name.startswith("POST, new") else 1
            runs = [case(offset + i) for i in range(args.repeat)]
            medians[name] = statistics.median(ms for ms, _, _ in runs)
            _summary(name, runs)
        floor_ms = medians["floor (bare Flask + 1 query)"]
        print("\nShare of the floor's rate (floor median / median): " + ", ".join(
            f"{name} {floor_ms / ms:.2f}" for name, ms in medians.items() if not name.startswith("floor")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", choices=("get", "post", "amend", "floor"), default="")
    parser.add_argument("--serve", action="store_true", help="gunicorn and wrk instead of the test client")
    parser.add_argument("--seconds", type=int, default=5, help="with --serve: seconds of load for each")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
