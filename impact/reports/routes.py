from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import login_required

from impact.projects.permissions import Need, get_project_or_404
from impact.reports.services import report_data

bp = Blueprint("reports", __name__, url_prefix="/projects/<int:project_id>")


@bp.route("/report.json")
@login_required
def report_json(project_id: int):
    project = get_project_or_404(project_id, Need.VIEW_REPORT)
    return jsonify(report_data(project))
