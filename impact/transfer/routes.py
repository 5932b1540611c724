"""A project's export (for its leads), and importing one (for those who may create projects)."""
from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from impact.access import signed_in_only
from impact.attachments import attachment
from impact.extensions import db
from impact.forms import BaseForm
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.transfer.document import ImportRefused, export_project, import_project

bp = Blueprint("transfer", __name__)
signed_in_only(bp)


class ImportForm(BaseForm):
    file = FileField("Project file (.json, from “Export this project”)",
                     validators=[FileRequired(message="Choose the project file.")], render_kw={"accept": ".json"})
    submit = SubmitField("Import project")


@bp.route("/projects/<int:project_id>/export.json")
@needs(Need.MANAGE)
def export(project: Project):
    return attachment(json.dumps(export_project(project.id), ensure_ascii=False), mimetype="application/json",
                      name=f"project-{project.id}.json")


@bp.route("/projects/import", methods=["GET", "POST"])
def import_page():
    if not current_user.may_create_projects:
        return render_template("error.html", status=403, title="Not allowed",
                               message="Projects are imported by those who may create them."), 403
    form = ImportForm()
    if form.validate_on_submit():
        try:
            document = json.loads(form.file.data.read().decode("utf-8"))
            project_id = import_project(document)
            db.session.commit()
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.file.errors.append("This is not a JSON file.")
        except ImportRefused as refused:
            db.session.rollback()
            form.file.errors.append(f"Nothing was imported: {refused}")
        else:
            flash(f"Project “{db.session.get(Project, project_id).title}” imported.", "success")
            return redirect(url_for("projects.project", project_id=project_id))
    return render_template("transfer/import.html", form=form), 400 if form.errors else 200
