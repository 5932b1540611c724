"""Browser tests: a live server with CSRF on, Debian's Chromium through Playwright, axe-core checks.

* ``live_server``: the app served by werkzeug on 127.0.0.1 (a free port) in a daemon thread.
  It is a second app built with ``make_app(..., WTF_CSRF_ENABLED=True)`` on the same SQLite
  file as the ``app`` fixture, so the forms are the real ones (with CSRF tokens) while test
  code can still build rows with ``tests.factories``. It uses ``db``, so every table is
  emptied after each test. Browser tests run on the SQLite backend only.
* ``browser`` (session): Chromium at /usr/bin/chromium; skipped when it is missing, unless
  REQUIRE_BROWSER=1, which turns the skip into a failure (for CI).
* ``page``: a fresh context per test. ``new_page(**context_options)`` makes more (e.g. with
  JavaScript disabled). Every page records the requests it makes; after the test, each
  must have gone to 127.0.0.1 (no third-party hosts), none may have got a 5xx answer, no
  sub-resource may have failed, and the console must show no Content-Security-Policy violation.
* ``axe_check(page)``: run axe-core (shipped by axe-playwright-python) on the page and
  fail on any "serious" or "critical" violation of WCAG 2.0/2.1/2.2 A and AA.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import pytest

from impact.extensions import cache as page_store
from impact.extensions import db as _db
from tests import factories
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000


# The live server -----------------------------------------------------------------------------

_ANSWER = "tests.live_server.answer"  # in a request's environ: the app's response, closed if the browser drops it


@dataclass
class LiveServer:
    app: object
    url: str


@pytest.fixture(scope="session")
def _live_server(app):
    if app.config.get("BACKEND") != "sqlite":
        pytest.skip("browser tests run on the SQLite backend only")
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:  # errors are still logged
            pass

        def connection_dropped(self, error, environ=None) -> None:
            # A browser that moves on drops the requests it no longer needs (a favicon, say), and the
            # development server then never closes the response: its open file was reported unclosed.
            answer = (environ or {}).get(_ANSWER)
            if answer is not None and hasattr(answer, "close"):
                answer.close()

    live_app = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=True,
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
    )
    live_app.config["BACKEND"] = "sqlite"
    assert live_app.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]
    # Port 0: the OS picks a free port.
    def keeping_the_answer(environ, start_response):
        environ[_ANSWER] = answer = live_app(environ, start_response)
        return answer

    server = make_server(LOCAL_HOST, 0, keeping_the_answer, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(live_app, f"http://{LOCAL_HOST}:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with live_app.app_context():
            _db.engine.dispose()


@pytest.fixture
def live_server(_live_server, db):
    """The running server; the database is emptied after the test (through ``db``), and the pages the
    server kept are dropped with it (the next test's rows reuse the same ids)."""
    yield _live_server
    with _live_server.app.app_context():
        page_store.clear()


# Chromium ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not installed at {CHROMIUM} (run `make browser`)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class _Traffic:
    requests: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        foreign = [url for url in self.requests if _is_foreign(url)]
        if foreign:
            found.append(f"requests to hosts other than {LOCAL_HOST}: {foreign}")
        if self.server_errors:
            found.append(f"server errors: {self.server_errors}")
        if self.failed:
            found.append(f"failed sub-resources: {self.failed}")
        csp = [text for text in self.console_errors if "Content Security Policy" in text]
        if csp:
            found.append(f"Content-Security-Policy violations: {csp}")
        return found


def _is_foreign(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    return parts.hostname != LOCAL_HOST


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context_options): a page in a fresh browser context, its traffic recorded."""
    contexts, traffics = [], []

    def _new_page(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        traffic = _Traffic()
        context.on("request", lambda request: traffic.requests.append(request.url))

        def on_response(response):
            if response.status >= 500:
                traffic.server_errors.append(f"{response.status} {response.url}")
            elif response.status >= 400 and response.request.resource_type != "document":
                traffic.failed.append(f"{response.status} {response.url}")

        context.on("response", on_response)

        def on_request_failed(request):
            # A navigation cancels what the previous page was still loading (net::ERR_ABORTED): not a fault.
            if request.failure != "net::ERR_ABORTED":
                traffic.failed.append(f"{request.failure} {request.url}")

        context.on("requestfailed", on_request_failed)
        contexts.append(context)
        traffics.append(traffic)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and traffic.console_errors.append(message.text))
        return page

    yield _new_page
    for context in contexts:
        context.close()
    problems = [problem for traffic in traffics for problem in traffic.problems()]
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


# Accessibility -------------------------------------------------------------------------------

@cache
def _axe_source() -> str:
    from importlib.resources import files

    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').strip().replace(chr(10), ' ')}")
    return "\n".join(lines)


def axe_check(page, *, tags: list[str] | None = None) -> list[dict]:
    """Run axe-core on the page; fail on serious or critical violations; return all violations.

    axe is injected through the DevTools protocol (page.evaluate), which the page's
    Content-Security-Policy (script-src 'self') does not block, so no CSP bypass is needed.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": tags or AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results["violations"]
    if violations:
        print(f"axe on {page.url}:\n{_format_violations(violations)}")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe found serious or critical violations on {page.url}:\n{_format_violations(failing)}"
    return violations


# Helpers shared by the test modules ------------------------------------------------------------

def log_in(page, email: str, password: str = factories.PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your projects", level=1)).to_be_visible()
