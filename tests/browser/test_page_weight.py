"""No page weighs more than 600 KB on a first visit from a phone.

Every HTML page of the permission matrix, opened by those who may see it (as test_every_page does),
is loaded in a fresh browser context (an empty cache, the viewer's login cookie only) 390 px wide.
Its weight is what came over the network until the page went quiet: the document and every script,
stylesheet, font and image (the icon too) it loaded, each with its response headers.

Compressed: the app gzips Plotly's bundle itself (impact/charts/routes.py) and a page served from the
cache (impact/precompressed.py); other pages and static files leave it as they are, for the proxy in
front of it to compress (README, deploying). So a body that came without a Content-Encoding is counted
as gzip at level 6 would send it, one that came gzipped as it came.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, LOCAL_HOST, TIMEOUT_MS, log_in
from tests.browser.test_every_page import viewers
from tests.test_permissions import furnish, world

pytestmark = pytest.mark.browser

LIMIT = 600 * 1024
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@dataclass
class Weight:
    path: str
    total: int
    parts: list[tuple[int, str]]  # (bytes, resource type and address), heaviest first

    def describe(self) -> str:
        heaviest = ", ".join(f"{size / 1024:.0f} KB {name}" for size, name in self.parts[:3])
        return f"{self.path}: {self.total / 1024:.0f} KB ({heaviest})"


def _compressed_size(response) -> int:
    sizes = response.request.sizes()
    if response.headers.get("content-encoding"):
        body = sizes["responseBodySize"]
    else:
        body = len(gzip.compress(response.body(), compresslevel=6, mtime=0))
    return sizes["responseHeadersSize"] + body


def _first_visit(browser, base_url: str, state, path: str) -> Weight:
    context = browser.new_context(base_url=base_url, storage_state=state, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        # Quiet, not just loaded: the browser fetches the page's icon after the load event.
        response = page.goto(path, wait_until="networkidle")
        responses = [request.response() for request in finished]
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        foreign = [r.url for r in responses if not r.url.startswith(f"http://{LOCAL_HOST}")]
        assert not foreign, f"{path} loaded from other hosts: {foreign}"
        parts = sorted(((_compressed_size(r), f"{r.request.resource_type} {r.url.removeprefix(base_url)}")
                        for r in responses), reverse=True)
        return Weight(path, sum(size for size, _ in parts), parts)
    finally:
        context.close()


def _logged_in_state(browser, base_url: str, email: str | None):
    context = browser.new_context(base_url=base_url)
    try:
        if email is not None:
            log_in(context.new_page(), email)
        return context.storage_state()
    finally:
        context.close()


def test_no_page_weighs_more_than_600_kb_on_a_first_visit_from_a_phone(browser, live_server, project):
    assert "--disable-background-networking" in CHROMIUM_ARGS  # nothing but the page's own requests is counted
    furnish(project)
    who = viewers(project)
    ids = world(project)
    weights = []
    for email, cases in who:
        state = _logged_in_state(browser, live_server.url, email)
        weights += [_first_visit(browser, live_server.url, state, case.path.format(**ids)) for case in cases]

    weights.sort(key=lambda weight: weight.total, reverse=True)
    print("Heaviest first visits:\n" + "\n".join(weight.describe() for weight in weights[:8]))
    assert len(weights) > 60
    too_heavy = [weight.describe() for weight in weights if weight.total > LIMIT]
    assert not too_heavy, "Pages over 600 KB compressed on a first visit:\n" + "\n".join(too_heavy)
