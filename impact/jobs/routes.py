"""Background work as site admins see it: when each piece last ran, and what failed."""
from __future__ import annotations

from flask import Blueprint, render_template

from impact.access import site_admins_only
from impact.jobs import health
from impact.jobs.models import WHOLE_RUN
from impact.model_types import utcnow

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


site_admins_only(bp)


@bp.route("/")
def health_page():
    runs = health.runs()
    whole = next((run for run in runs if run.name == WHOLE_RUN), None)
    now = utcnow()
    return render_template("jobs/health.html", whole=whole, pieces=[run for run in runs if run.name != WHOLE_RUN],
                           quiet=health.is_quiet(whole, now), now=now)
