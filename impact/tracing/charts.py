"""The claim page's charts, as Plotly figures (plain dicts drawn by templates/_charts.html)."""
from __future__ import annotations

from typing import Any

from impact.tracing import bayes
from impact.tracing.models import Claim
from impact.tracing.services import ClaimTrace, evidence_of

# The app's own colours (static/css/app.css): text and lines at AA contrast on white.
INK, MUTED, BRAND, GRID = "#1a1a1a", "#4a4f57", "#1d4e89", "#c9ced6"
PRIOR_GRID = [n / 100 for n in range(1, 100)]


def _layout(x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    axis = {"gridcolor": GRID, "linecolor": MUTED, "tickfont": {"color": INK}, "zeroline": False}
    return {
        "height": extra.pop("height", 320), "margin": extra.pop("margin", {"l": 64, "r": 16, "t": 16, "b": 56}),
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 14,
                 "color": INK},
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "showlegend": extra.pop("showlegend", False),
        "xaxis": {**axis, "title": {"text": x_title}, **extra.pop("xaxis", {})},
        "yaxis": {**axis, "title": {"text": y_title}, "range": [0, 100], "ticksuffix": "%"},
        **extra,
    }


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def confidence_path(claim: Claim, trace: ClaimTrace) -> dict[str, Any] | None:
    """Confidence in the claim from the prior through each test it could weigh."""
    weighed = [row for row in trace.rows if row.after is not None]
    if not weighed:
        return None
    labels = ["Prior"] + [f"Test {n}" for n in range(1, len(weighed) + 1)]
    values = [claim.prior * 100] + [row.after * 100 for row in weighed]
    hover = ["Before any evidence"] + [
        f"{_short(row.test.description)} ({'found' if row.test.found else 'not found'})" for row in weighed]
    return {
        "data": [{
            "type": "scatter", "mode": "lines+markers", "x": labels, "y": values, "text": hover,
            "hovertemplate": "%{x}: %{y:.0f}%<br>%{text}<extra></extra>",
            "line": {"color": BRAND, "width": 3}, "marker": {"size": 9, "color": BRAND},
        }],
        "layout": _layout("Evidence weighed in order", "Confidence in the claim",
                          xaxis={"type": "category"}),
    }


def prior_curve(claim: Claim, trace: ClaimTrace) -> dict[str, Any] | None:
    """The posterior the same evidence gives from every prior, beside the line where evidence changes nothing."""
    if not trace.rows or trace.posterior is None:
        return None
    priors = sorted(set(PRIOR_GRID) | {claim.prior})
    posteriors = [None if value is None else value * 100
                  for _, value in bayes.prior_sensitivity(evidence_of(claim.tests), priors)]
    percents = [prior * 100 for prior in priors]
    return {
        "data": [
            {"type": "scatter", "mode": "lines", "x": [0, 100], "y": [0, 100],
             "name": "No evidence (posterior = prior)", "line": {"color": MUTED, "dash": "dash", "width": 2},
             "hoverinfo": "skip"},
            {"type": "scatter", "mode": "lines", "x": percents, "y": posteriors, "name": "With this claim's evidence",
             "line": {"color": BRAND, "width": 3},
             "hovertemplate": "Prior %{x:.0f}% → posterior %{y:.0f}%<extra></extra>"},
            {"type": "scatter", "mode": "markers", "x": [claim.prior * 100], "y": [trace.posterior * 100],
             "name": "This claim's prior", "marker": {"color": INK, "size": 12, "symbol": "diamond"},
             "hovertemplate": "This claim: prior %{x:.0f}% → posterior %{y:.0f}%<extra></extra>"},
        ],
        "layout": _layout("Prior confidence", "Posterior confidence", showlegend=True, height=360,
                          margin={"l": 64, "r": 16, "t": 16, "b": 100},
                          xaxis={"range": [0, 100], "ticksuffix": "%"},
                          legend={"orientation": "h", "y": -0.32, "font": {"color": INK}}),
    }
