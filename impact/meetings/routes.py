"""Pages of meetings: the list, one meeting's record, its form and its recording."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from impact.access import signed_in_only
from impact.concurrency import save_edit
from impact.evidence import files
from impact.extensions import db
from impact.meetings import services
from impact.meetings.forms import AttendanceForm, MeetingForm
from impact.meetings.models import Meeting
from impact.pagination import page_number
from impact.projects.models import Project
from impact.projects.permissions import Need, may, needs
from impact.research.services import members_choices
from impact.toc.services import load_chain
from impact.toc.views import step_choices

bp = Blueprint("meetings", __name__, url_prefix="/projects/<int:project_id>/meetings")
signed_in_only(bp)


@bp.route("/")
@needs(Need.READ)
def index(project: Project):
    page = db.paginate(services.meetings_query(project), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("meetings/index.html", project=project, page=page,
                           figures=services.meeting_figures([meeting.id for meeting in page.items]),
                           may_edit=may(project, Need.EDIT))


def _meeting_form(project: Project, **kwargs) -> MeetingForm:
    form = MeetingForm(**kwargs)
    form.step_ids.choices = step_choices(load_chain(project.id))
    return form


def _save(project: Project, meeting: Meeting | None, form: MeetingForm) -> Meeting:
    """Save from the form, with its recording checked like any upload (and removed again if the save fails)."""
    stored = (files.store_upload(form.recording.data, types=files.RECORDING_TYPES,
                                 limit=current_app.config["RECORDING_FILE_MAX_BYTES"])
              if form.recording.data else None)
    with files.kept_only_if_saved(stored):
        saved = services.save_meeting(project, meeting, form.values(), step_ids=form.step_ids.data or [],
                                      stored=stored, remove_file=bool(form.remove_file.data))
        db.session.commit()
    return saved


def _form_page(project, form, meeting, conflict=None, status=200):
    return render_template("meetings/form.html", project=project, form=form, meeting=meeting,
                           conflict=conflict), status


@bp.route("/new", methods=["GET", "POST"])
@needs(Need.EDIT)
def new(project: Project):
    form = _meeting_form(project)
    if form.validate_on_submit():
        try:
            meeting = _save(project, None, form)
        except files.FileRefused as refused:
            form.recording.errors.append(str(refused))
        except services.MeetingError as problem:
            db.session.rollback()
            form[problem.field].errors.append(str(problem))
        else:
            flash(f"Meeting “{meeting.title}” added. Now record who attended, its quotes and its themes.", "success")
            return redirect(url_for("meetings.show", project_id=project.id, meeting_id=meeting.id))
    return _form_page(project, form, None, status=400 if form.errors else 200)


@bp.route("/<int:meeting_id>")
@needs(Need.READ, meeting=Meeting)
def show(project: Project, meeting: Meeting):
    return render_meeting(project, meeting)


def render_meeting(project: Project, meeting: Meeting, attendance_form: AttendanceForm | None = None,
                   status: int = 200):
    services.load_meeting(meeting)
    may_edit = may(project, Need.EDIT)
    if may_edit and attendance_form is None:
        attendance_form = AttendanceForm(formdata=None)
    if attendance_form is not None:
        attendance_choices(project, attendance_form)
    return render_template("meetings/show.html", project=project, meeting=meeting, may_edit=may_edit,
                           quotes=services.live_quotes(meeting), attendance_form=attendance_form,
                           file_size=files.human_size), status


def attendance_choices(project: Project, form: AttendanceForm) -> None:
    form.research_project_id.choices = [("", "None"), *services.research_choices(project)]
    form.user_id.choices = [("", "Not a member, or not said"), *members_choices(project)]


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@needs(Need.EDIT, meeting=Meeting)
def edit(project: Project, meeting: Meeting):
    form = _meeting_form(project, obj=meeting, data={"step_ids": [step.id for step in meeting.steps]}
                         if request.method == "GET" else None)
    try:
        edit = save_edit(meeting, form, lambda: _save(project, meeting, form))
    except files.FileRefused as refused:
        form.recording.errors.append(str(refused))
        return _form_page(project, form, meeting, status=400)
    except services.MeetingError as problem:
        db.session.rollback()
        form[problem.field].errors.append(str(problem))
        return _form_page(project, form, db.get_or_404(Meeting, meeting.id), status=400)
    if edit.saved:
        flash("Saved.", "success")
        return redirect(url_for("meetings.show", project_id=project.id, meeting_id=meeting.id))
    return _form_page(project, form, meeting, edit.conflict, edit.status)


@bp.route("/<int:meeting_id>/recording")
@needs(Need.EDIT, meeting=Meeting)
def recording(project: Project, meeting: Meeting):
    """The team's alone: people agreed to be recorded for the research, not to be heard by every member."""
    if not meeting.file_sha256:
        abort(404)
    path = files.path_for(meeting.file_sha256)
    if not path.is_file():
        abort(404)
    return files.streamed_attachment(path, name=files.clean_name(meeting.file_name) or f"meeting-{meeting.id}",
                                     mimetype=files.mimetype_for(meeting.file_name), etag=meeting.file_sha256)

