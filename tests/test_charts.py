"""Charts: Plotly served by the app itself, and the figures the claim page draws."""
from __future__ import annotations

import gzip
import json
import re

import pytest

from impact.charts.bundle import bundle_path, plotly_version
from tests.test_tracing import claim_url, make_claim, turn_on


def charts_on(html: str) -> dict[str, dict]:
    """{element id: figure} for every chart on a page, as the browser script would read them."""
    found = re.findall(r'<div class="chart" id="([^"]+)" role="img" aria-label="[^"]+" data-chart=\'([^\']*)\'', html)
    return {chart_id: json.loads(figure) for chart_id, figure in found}


def test_plotly_is_served_by_the_app_from_the_installed_package_and_kept_a_year(client):
    path = f"/vendor/plotly/{plotly_version()}/plotly.min.js"
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.data == bundle_path().read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Gzipped for browsers that take it: about a third of the size on a slow council link.
    zipped = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == response.data and len(zipped.data) < len(response.data) / 2
    # An address naming another version would be a stale page: no file, not the wrong one.
    assert client.get("/vendor/plotly/0.0.1/plotly.min.js").status_code == 404


def test_the_stylesheet_holds_plotlys_own_rules_so_it_needs_no_inline_style(client):
    css = client.get(f"/vendor/plotly/{plotly_version()}/plotly.css").get_data(as_text=True)
    assert ".js-plotly-plot .plotly .main-svg {position:absolute;" in css
    assert ".plotly-notifier .notifier-close {" in css
    selectors = [line.split("{")[0] for line in css.splitlines()]
    assert len(selectors) > 40 and not any(re.search(r"\bX\b|\bY\b", s) for s in selectors)


def test_the_claim_page_charts_the_path_of_confidence_and_the_posterior_for_every_prior(client, project, login_as):
    turn_on(project)
    claim = make_claim(project, tests=[(0.9, 0.1, True), (0.95, 0.6, False)])
    login_as("co_researcher", project)
    html = client.get(claim_url(project, claim)).get_data(as_text=True)
    charts = charts_on(html)

    path = charts["confidence-path"]["data"][0]
    assert path["x"] == ["Prior", "Test 1", "Test 2"]
    # 0.5 -> 0.9 (found) -> hoop failed: 0.9*0.05 / (0.9*0.05 + 0.1*0.4) = 0.529...
    assert [round(y, 1) for y in path["y"]] == [50.0, 90.0, 52.9]
    assert "not found" in path["text"][2]

    no_evidence, curve, this_claim = charts["prior-curve"]["data"]
    assert no_evidence["y"] == [0, 100]
    assert len(curve["x"]) == 99 and curve["x"][0] == 1 and curve["x"][-1] == 99
    assert round(curve["y"][curve["x"].index(50)], 1) == 52.9
    assert this_claim["x"] == [50] and round(this_claim["y"][0], 1) == 52.9
    # Plotly's address is handed to charts.js, which fetches it when a chart is opened, not loaded with the page.
    assert f'data-plotly="/vendor/plotly/{plotly_version()}/plotly.min.js"' in html
    assert '<script src="/vendor/plotly/' not in html
    # The figures stay in the tables below the charts, for screen readers and browsers without JavaScript.
    assert "table below" in html and "Posterior confidence for each prior" in html


@pytest.mark.parametrize("tests", [(), [(0.0, 0.0, True)]], ids=["no tests", "undefined update"])
def test_no_chart_and_no_plotly_where_there_is_nothing_to_chart(client, project, login_as, tests):
    turn_on(project)
    claim = make_claim(project, tests=tests)
    login_as("team_member", project)
    html = client.get(claim_url(project, claim)).get_data(as_text=True)
    assert charts_on(html) == {} and "/vendor/plotly/" not in html
