"""What the load benchmarks share: gunicorn serving a module, plain HTTP requests, logging in, and wrk.

wrk runs with a Lua script written for each run: it counts the responses by status (so a run of
conditional requests can say how many were 304s, and a page that fails under load shows as errors,
not as a fast page) and, given several requests, sends them in turn on each connection (the follow-up
form posted by several respondents).
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench import ROOT

WORKERS = 2
# What every browser sends with each request: a page kept in the cache goes gzipped to it.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(module: str, env: dict[str, str]):
    """A gunicorn of WORKERS sync workers serving module:app on a free local port; yields the base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", f"{module}:app"], cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {module} did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def http_request(base: str, path: str, headers: dict[str, str], method: str = "GET",
                 body: str | None = None) -> Answer:
    """One request on its own connection (gunicorn's sync workers close each one anyway)."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def login_cookie(base: str, email: str, password: str) -> str:
    """The session cookie of a login through the form (CSRF is off in bench/serve_app.py)."""
    body = f"email={email}&password={password.replace(' ', '+')}"
    answer = http_request(base, "/login", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", body)
    if answer.status != 302:
        raise SystemExit(f"logging in as {email} answered {answer.status}")
    cookie = answer.headers.get("Set-Cookie", "").split(";", 1)[0]
    # wrk sends the same cookie on every request, where a browser keeps what the first page set (the
    # session's CSRF secret): without it every request would make a new secret and sign a new cookie.
    first_page = http_request(base, "/", {"Cookie": cookie})
    return (first_page.headers.get("Set-Cookie") or cookie).split(";", 1)[0]


@dataclass
class WrkRun:
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: int = 0  # connect, read, write and timeout errors

    @property
    def responses(self) -> int:
        return sum(self.statuses.values())

    def share(self, status: int) -> float:
        return self.statuses.get(status, 0) / self.responses if self.responses else 0.0

    def errors(self, expected: tuple[int, ...] = (200,)) -> int:
        """Responses with another status than those expected, and failed connections."""
        return self.socket_errors + sum(n for status, n in self.statuses.items() if status not in expected)


# The per-thread counts are gathered in done() from each thread's Lua state (wrk copies tables across).
_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[tostring(status)] = (counts[tostring(status)] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format('\\nBENCH {"requests": %d, "us": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d, ' ..
    '"socket_errors": %d, "statuses": {%s}}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ", ")))
end
"""

_TURNS = """
local turns, turn = {%s}, 0
function request()
  turn = turn %% #turns + 1
  local t = turns[turn]
  return wrk.format(t[1], t[2], nil, t[3])
end
"""


def _lua(text: str) -> str:
    # A JSON string of ASCII text is a Lua string literal too (only \\" \\\\ \\n-style escapes).
    assert text.isascii(), text
    return json.dumps(text)


def wrk(base: str, requests: list[tuple[str, str, str | None]], headers: dict[str, str], seconds: int,
        connections: int) -> WrkRun:
    """Load the server for `seconds` with (method, path, body) requests, in turn when there are several,
    each with a browser's headers (BROWSER_HEADERS) and ``headers``."""
    script = _SCRIPT
    method, path, body = requests[0]
    if len(requests) > 1:
        script += _TURNS % ", ".join(f"{{{_lua(m)}, {_lua(p)}, {_lua(b) if b else 'nil'}}}" for m, p, b in requests)
    else:
        script += f"wrk.method = {_lua(method)}\n" + (f"wrk.body = {_lua(body)}\n" if body else "")
    command = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{seconds}s",
               "--timeout", "30s"]
    for key, value in {**BROWSER_HEADERS, **headers}.items():
        command += ["--header", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-") as file:
        file.write(script)
        file.flush()
        out = subprocess.run([*command, "--script", file.name, base + path], capture_output=True, text=True,
                             check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    found = json.loads(line.removeprefix("BENCH "))
    run = WrkRun(rps=found["requests"] / (found["us"] / 1e6), p50_ms=found["p50"] / 1000,
                 p90_ms=found["p90"] / 1000, p99_ms=found["p99"] / 1000, max_ms=found["max"] / 1000,
                 statuses={int(status): n for status, n in found["statuses"].items()},
                 socket_errors=found["socket_errors"])
    # When wrk stops, the requests it had in flight are still queued at the server, which answers them
    # to closed sockets: wait them out (none takes longer than the slowest wrk saw), so that what runs
    # next (the cold requests above all) is timed on an idle server.
    time.sleep(run.max_ms / 1000 + 0.25)
    return run
