"""Plotly, served by the app itself (no third-party host), for every chart."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.charts.bundle import STYLE_ELEMENT_ID, guarded_style_ids, plotly_version
    from impact.charts.routes import bp

    contributions.blueprints.append(bp)
    contributions.template_globals.update(plotly_version=plotly_version, plotly_style_id=STYLE_ELEMENT_ID,
                                          plotly_guarded_style_ids=guarded_style_ids)
