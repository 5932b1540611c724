from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import login_required

from impact.features import page_context
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
from impact.reports.services import report_data

bp = Blueprint("reports", __name__, url_prefix="/projects/<int:project_id>")


@bp.route("/report.json")
@login_required
@needs(Need.VIEW_REPORT)
def report_json(project: Project):
    if not may(project, Need.READ):
        # Readers of the report alone (funders) get the latest published version, never the live project.
        published = page_context("reports.for_report_readers", project=project).get("report")
        if published is None:
            return jsonify(error={"code": "not_published", "message": "No version of the report has been "
                                  "published yet.", "fields": {}}), 404
        return jsonify(published)
    return jsonify(report_data(project))
