"""Every follow-up of a project in one list, across its events: what is planned, sent, failing, answered."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from impact.access import signed_in_only
from impact.extensions import db
from impact.followups import services
from impact.followups.tracking import campaign_counts
from impact.model_types import utcnow
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, needs

bp = Blueprint("followup_list", __name__, url_prefix="/projects/<int:project_id>/followups")
signed_in_only(bp)


@bp.route("/")
@needs(Need.EDIT, by_the_minute=True)
def index(project: Project):
    page = db.paginate(services.project_campaigns_query(project), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("followups/list.html", project=project, page=page, now=utcnow(),
                           figures=campaign_counts([campaign.id for campaign in page.items]))
