from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask_login import login_required

from impact.access import signed_in_only
from impact.attachments import attachment
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.reports.datasets import BY_NAME, DATASETS, rows_of
from impact.reports.services import NOT_PUBLISHED, report_response
from impact.reports.spreadsheets import csv_text, xlsx_bytes

bp = Blueprint("reports", __name__, url_prefix="/projects/<int:project_id>")
signed_in_only(bp)


@bp.route("/report.json")
@login_required
@needs(Need.VIEW_REPORT)
def report_json(project: Project):
    response = report_response(project)
    return (jsonify(error=NOT_PUBLISHED), 404) if response is None else response


# The data, to hand over -------------------------------------------------------------------------

@bp.route("/data/")
@needs(Need.EDIT)
def data_index(project: Project):
    return render_template("reports/data.html", project=project, datasets=DATASETS)


@bp.route("/data/<name>.csv")
@needs(Need.EDIT)
def data_csv(project: Project, name: str):
    dataset = BY_NAME.get(name) or abort(404)
    return attachment(csv_text(dataset.columns, rows_of(dataset, project.id)), mimetype="text/csv; charset=utf-8",
                      name=f"project-{project.id}-{dataset.name}.csv")


@bp.route("/data.xlsx")
@needs(Need.EDIT)
def data_xlsx(project: Project):
    sheets = [(dataset.title, dataset.columns, rows_of(dataset, project.id)) for dataset in DATASETS]
    return attachment(xlsx_bytes(sheets), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      name=f"project-{project.id}-data.xlsx")
