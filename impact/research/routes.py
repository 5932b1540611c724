"""Pages of practitioner research: the PRPs of a project, one PRP with its updates, and the update form."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import get_or_404, signed_in_only
from impact.concurrency import EditConflict, commit_if_current, save_edit
from impact.evidence import files
from impact.extensions import db
from impact.features import page_context
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
from impact.projects.services import member_voice
from impact.research import services
from impact.research.forms import OutputForm, ResearchProjectForm, UpdateForm
from impact.research.models import ResearchProject, ResearchUpdate, UpdateStatus
from impact.research.reminders import lead_status
from impact.toc.services import load_chain
from impact.toc.views import step_choices

bp = Blueprint("research", __name__, url_prefix="/projects/<int:project_id>/research")
signed_in_only(bp)


@bp.route("/")
@needs(Need.READ)
def index(project: Project):
    page = db.paginate(services.research_projects_query(project), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("research/index.html", project=project, page=page,
                           counts=services.update_counts(project))


def _prp_form(project: Project, **kwargs) -> ResearchProjectForm:
    form = ResearchProjectForm(**kwargs)
    members = services.members_choices(project)
    form.lead_ids.choices = members
    form.mentor_id.choices = [("", "No mentor yet"), *members]
    form.step_ids.choices = step_choices(load_chain(project.id))
    return form


def _prp_data(prp: ResearchProject) -> dict:
    return {"lead_ids": [user.id for user in prp.leads], "step_ids": [step.id for step in prp.steps],
            "mentor_id": prp.mentor_id or ""}


def _save_prp(project: Project, prp: ResearchProject | None, form: ResearchProjectForm) -> ResearchProject:
    """Save from the form, with its report file checked like any upload (and removed again if the save fails)."""
    stored = files.store_upload(form.report.data) if form.report.data else None
    with files.kept_only_if_saved(stored):
        saved = services.save_research_project(project, prp, form.values(), step_ids=form.step_ids.data or [],
                                               lead_ids=form.lead_ids.data or [], mentor_id=form.mentor_id.data,
                                               report=stored)
        db.session.commit()
    return saved


@bp.route("/new", methods=["GET", "POST"])
@needs(Need.EDIT)
def new(project: Project):
    form = _prp_form(project)
    if form.validate_on_submit():
        try:
            prp = _save_prp(project, None, form)
        except files.FileRefused as refused:
            form.report.errors.append(str(refused))
        else:
            flash(f"Practitioner research project “{prp.title}” added.", "success")
            return redirect(url_for("research.show", project_id=project.id, prp_id=prp.id))
    return render_template("research/form.html", project=project, form=form, prp=None), 400 if form.errors else 200


@bp.route("/<int:prp_id>")
@needs(Need.READ, prp=ResearchProject)
def show(project: Project, prp: ResearchProject):
    return render_prp(project, prp)


def render_prp(project: Project, prp: ResearchProject, output_form: OutputForm | None = None, status: int = 200):
    page = db.paginate(services.updates_query(prp, current_user), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    may_edit = may(project, Need.EDIT)
    outputs, removed_outputs = services.live_outputs(prp)
    item_ids = [item_id for item_id in (prp.report_item_id, *(output.evidence_item_id for output in outputs),
                                        *(update.evidence_item_id for update in page.items)) if item_id]
    return render_template("research/show.html", project=project, prp=prp, page=page, may_edit=may_edit,
                           # Where else its evidence is used (the claims citing it) comes from those parts.
                           **page_context("research.show", project=project, item_ids=item_ids),
                           may_contribute=may(project, Need.CONTRIBUTE), leads=lead_status(prp),
                           outputs=outputs, removed_outputs=removed_outputs if may_edit else [],
                           output_form=(output_form or OutputForm(formdata=None)) if may_edit else None,
                           file_size=files.human_size), status


@bp.route("/<int:prp_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, prp=ResearchProject)
def edit(project: Project, prp: ResearchProject):
    form = _prp_form(project, obj=prp, data=_prp_data(prp) if request.method == "GET" else None)
    try:
        edit = save_edit(prp, form, lambda: _save_prp(project, prp, form))
    except files.FileRefused as refused:
        form.report.errors.append(str(refused))
        return render_template("research/form.html", project=project, form=form, prp=prp, conflict=None), 400
    if edit.saved:
        flash("Saved.", "success")
        return redirect(url_for("research.show", project_id=project.id, prp_id=prp.id))
    return render_template("research/form.html", project=project, form=form, prp=prp,
                           conflict=edit.conflict), edit.status


# Updates ---------------------------------------------------------------------------------------

def _update_form(project: Project, prp: ResearchProject, **kwargs) -> UpdateForm:
    form = UpdateForm(**kwargs)
    form.step_ids.choices = step_choices(load_chain(project.id))
    return form


def _store(project, prp, update, form: UpdateForm) -> ResearchUpdate:
    """Save from the form (a draft, or submitted), with its file checked like any upload."""
    stored = files.store_upload(form.file.data) if form.file.data else None
    with files.kept_only_if_saved(stored):
        saved = services.save_update(project, prp, update, form.values(), step_ids=form.step_ids.data or [],
                                     author=current_user, stored=stored, remove_file=bool(form.remove_file.data),
                                     submit=form.submit.data)
        db.session.commit()
    return saved


def _saved_message(update: ResearchUpdate) -> str:
    if update.status is UpdateStatus.DRAFT:
        return "Draft saved. Only you can see it until you submit it."
    return "Update submitted: the team sees it as evidence on the project's steps. Thank you."


@bp.route("/<int:prp_id>/updates/new", methods=["GET", "POST"])
@needs(Need.CONTRIBUTE, prp=ResearchProject)
def new_update(project: Project, prp: ResearchProject):
    form = _update_form(project, prp, data={"step_ids": [step.id for step in prp.steps]}
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            update = _store(project, prp, None, form)
        except files.FileRefused as refused:
            form.file.errors.append(str(refused))
        except services.UpdateError as problem:
            db.session.rollback()
            form[problem.field].errors.append(str(problem))
        else:
            flash(_saved_message(update), "success")
            return redirect(url_for("research.show", project_id=project.id, prp_id=prp.id))
    return render_template("research/update_form.html", project=project, prp=prp, form=form, update=None,
                           group=member_voice(project, current_user)), 400 if form.errors else 200


@bp.route("/<int:prp_id>/updates/<int:update_id>", methods=["GET", "POST"])
@needs(Need.CONTRIBUTE, prp=ResearchProject)
def edit_update(project: Project, prp: ResearchProject, update_id: int):
    update = get_or_404(ResearchUpdate, update_id, research_project_id=prp.id)
    if not services.may_change_update(update, current_user, team=may(project, Need.EDIT)):
        # Someone else's draft does not exist for anyone but its author; a submitted update is on the PRP's page.
        abort(404 if update.status is UpdateStatus.DRAFT else 403)
    form = _update_form(project, prp, data=UpdateForm.data_of(update) if request.method == "GET" else None)
    conflict = None
    if form.validate_on_submit():
        try:
            commit_if_current(update, form.submitted_version(), lambda: _store(project, prp, update, form))
        except files.FileRefused as refused:
            form.file.errors.append(str(refused))
        except services.UpdateError as problem:
            db.session.rollback()
            form[problem.field].errors.append(str(problem))
        except EditConflict:
            conflict = db.get_or_404(ResearchUpdate, update_id)
            form.version.data = str(conflict.version)
        else:
            flash(_saved_message(update), "success")
            return redirect(url_for("research.show", project_id=project.id, prp_id=prp.id))
    status = 409 if conflict else (400 if form.errors else 200)
    return render_template("research/update_form.html", project=project, prp=prp, form=form, update=update,
                           conflict=conflict, group=update.partner_group), status
