from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import login_required

from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.reports.services import report_data

bp = Blueprint("reports", __name__, url_prefix="/projects/<int:project_id>")


@bp.route("/report.json")
@login_required
@needs(Need.VIEW_REPORT)
def report_json(project: Project):
    return jsonify(report_data(project))
