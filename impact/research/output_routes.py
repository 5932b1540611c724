"""A PRP's output files besides its report: added on its page, removed (asking first) and restored."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import get_or_404
from impact.evidence import files
from impact.extensions import db
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.research import services
from impact.research.forms import OutputForm
from impact.research.models import ResearchOutput, ResearchProject
from impact.research.routes import bp, render_prp
from impact.trash import TrashError, set_aside, take_back


def _to_outputs(project: Project, prp: ResearchProject):
    return redirect(url_for("research.show", project_id=project.id, prp_id=prp.id, _anchor="outputs"))


@bp.route("/<int:prp_id>/outputs", methods=["POST"])
@needs(Need.EDIT, prp=ResearchProject)
def add_output(project: Project, prp: ResearchProject):
    form = OutputForm()
    if form.validate_on_submit():
        try:
            stored = files.store_upload(form.file.data)
        except files.FileRefused as refused:
            form.file.errors.append(str(refused))
        else:
            with files.kept_only_if_saved(stored):
                output = services.add_output(prp, form.title.data, stored)
                db.session.commit()
            flash(f"Output “{output.title}” added: it is evidence on the research project's steps.", "success")
            return _to_outputs(project, prp)
    return render_prp(project, prp, output_form=form, status=400)


@bp.route("/<int:prp_id>/outputs/<int:output_id>/remove", methods=["GET", "POST"])
@needs(Need.EDIT, prp=ResearchProject)
def remove_output(project: Project, prp: ResearchProject, output_id: int):
    output = get_or_404(ResearchOutput, output_id, research_project_id=prp.id)
    if output.evidence_item is None or output.evidence_item.deleted_at is not None:
        flash(f"“{output.title}” is already removed.", "info")
        return _to_outputs(project, prp)
    form = OutputForm.Confirm()
    if request.method == "POST" and form.validate_on_submit():
        set_aside(output.evidence_item, current_user)
        db.session.commit()
        flash(f"Output “{output.title}” removed, with its evidence (now in the evidence trash).", "success")
        return _to_outputs(project, prp)
    return render_template("research/remove_output.html", project=project, prp=prp, output=output,
                           links=len(output.evidence_item.links) if output.evidence_item else 0)


@bp.route("/<int:prp_id>/outputs/<int:output_id>/restore", methods=["POST"])
@needs(Need.EDIT, prp=ResearchProject)
def restore_output(project: Project, prp: ResearchProject, output_id: int):
    output = get_or_404(ResearchOutput, output_id, research_project_id=prp.id)
    if OutputForm.Confirm().validate_on_submit() and output.evidence_item is not None:
        try:
            take_back(output.evidence_item)
        except TrashError as gone:
            flash(str(gone), "info")
        else:
            db.session.commit()
            flash(f"Output “{output.title}” restored.", "success")
    return _to_outputs(project, prp)
