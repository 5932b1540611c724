"""What a meeting's record holds, each changed on its own: who attended, its quotes and its themes."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from impact.access import get_or_404
from impact.concurrency import save_edit
from impact.extensions import db
from impact.meetings import services
from impact.meetings.forms import AttendanceForm, ConfirmForm, QuoteForm, ThemeForm
from impact.meetings.models import Meeting, MeetingAttendance, MeetingQuote, MeetingTheme
from impact.meetings.routes import attendance_choices, bp, render_meeting
from impact.projects.models import Project
from impact.projects.permissions import Need, needs
from impact.toc.services import load_chain
from impact.toc.views import step_choices
from impact.trash import TrashError


def _to_meeting(project: Project, meeting: Meeting, anchor: str = ""):
    return redirect(url_for("meetings.show", project_id=project.id, meeting_id=meeting.id)
                    + (f"#{anchor}" if anchor else ""))


# Who attended ----------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@needs(Need.EDIT, meeting=Meeting)
def add_attendance(project: Project, meeting: Meeting):
    form = AttendanceForm()
    attendance_choices(project, form)
    if not form.validate_on_submit():
        return render_meeting(project, meeting, attendance_form=form, status=400)
    row = services.add_attendance(project, meeting, form.values())
    db.session.commit()
    flash(f"Added {row.described} to who attended.", "success")
    return _to_meeting(project, meeting, "attendance")


@bp.route("/<int:meeting_id>/attendance/<int:row_id>/remove", methods=["POST"])
@needs(Need.EDIT, meeting=Meeting)
def remove_attendance(project: Project, meeting: Meeting, row_id: int):
    row = get_or_404(MeetingAttendance, row_id, meeting_id=meeting.id)
    if ConfirmForm().validate_on_submit():
        described = row.described
        services.remove_attendance(meeting, row)
        db.session.commit()
        flash(f"Removed {described} from who attended; their quotes stay.", "success")
    return _to_meeting(project, meeting, "attendance")


# Quotes ----------------------------------------------------------------------------------------

def _quote_form(project: Project, meeting: Meeting, **kwargs) -> QuoteForm:
    form = QuoteForm(**kwargs)
    form.step_ids.choices = step_choices(load_chain(project.id))
    form.speaker_id.choices = [("", "Not said, or not among those recorded as attending"),
                               *((row.id, row.described) for row in meeting.attendance)]
    return form


def _quote_page(project, meeting, form, quote, conflict=None, status=200):
    return render_template("meetings/quote_form.html", project=project, meeting=meeting, form=form, quote=quote,
                           conflict=conflict), status


@bp.route("/<int:meeting_id>/quotes/new", methods=["GET", "POST"])
@needs(Need.EDIT, meeting=Meeting)
def new_quote(project: Project, meeting: Meeting):
    form = _quote_form(project, meeting, data={"step_ids": [step.id for step in meeting.steps]}
                       if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_quote(meeting, None, form.values(), step_ids=form.step_ids.data or [])
            db.session.commit()
        except services.MeetingError as problem:
            db.session.rollback()
            form[problem.field].errors.append(str(problem))
        else:
            flash("Quote added: it is evidence on the steps chosen.", "success")
            return _to_meeting(project, meeting, "quotes")
    return _quote_page(project, meeting, form, None, status=400 if form.errors else 200)


@bp.route("/<int:meeting_id>/quotes/<int:quote_id>", methods=["GET", "POST"])
@needs(Need.EDIT, meeting=Meeting)
def edit_quote(project: Project, meeting: Meeting, quote_id: int):
    quote = get_or_404(MeetingQuote, quote_id, meeting_id=meeting.id)
    form = _quote_form(project, meeting, data=QuoteForm.data_of(quote) if request.method == "GET" else None)
    if quote.consent_withdrawn_at is not None:
        del form.words  # withdrawn: the words are shown to nobody, in a form no more than on a page

    def change() -> None:
        services.save_quote(meeting, quote, form.values(), step_ids=form.step_ids.data or [])
        db.session.commit()

    try:
        edit = save_edit(quote, form, change)
    except services.MeetingError as problem:
        db.session.rollback()
        form[problem.field].errors.append(str(problem))
        return _quote_page(project, meeting, form, quote, status=400)
    if edit.saved:
        flash("Quote saved.", "success")
        return _to_meeting(project, meeting, "quotes")
    return _quote_page(project, meeting, form, quote, edit.conflict, edit.status)


@bp.route("/<int:meeting_id>/quotes/<int:quote_id>/remove", methods=["GET", "POST"])
@needs(Need.EDIT, meeting=Meeting)
def remove_quote(project: Project, meeting: Meeting, quote_id: int):
    """Asks first: a quote is evidence. It goes to the evidence trash, and Restore brings it back."""
    quote = get_or_404(MeetingQuote, quote_id, meeting_id=meeting.id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.remove_quote(quote, current_user)
        except TrashError as gone:
            flash(str(gone), "info")
        else:
            db.session.commit()
            flash("Quote removed, with its evidence (now in the evidence trash).", "success")
        return _to_meeting(project, meeting, "removed-quotes")
    links = len(quote.evidence_item.links) if quote.evidence_item else 0
    return render_template("meetings/remove_quote.html", project=project, meeting=meeting, quote=quote,
                           links=links, form=form)


@bp.route("/<int:meeting_id>/quotes/<int:quote_id>/restore", methods=["POST"])
@needs(Need.EDIT, meeting=Meeting)
def restore_quote(project: Project, meeting: Meeting, quote_id: int):
    quote = get_or_404(MeetingQuote, quote_id, meeting_id=meeting.id)
    if ConfirmForm().validate_on_submit():
        try:
            services.restore_quote(quote)
        except TrashError as gone:
            flash(str(gone), "info")
        else:
            db.session.commit()
            flash("Quote restored, with its evidence.", "success")
    return _to_meeting(project, meeting, "quotes")


# Themes ----------------------------------------------------------------------------------------

def _theme_form(project: Project, **kwargs) -> ThemeForm:
    form = ThemeForm(**kwargs)
    form.step_ids.choices = step_choices(load_chain(project.id))
    form.factor_ids.choices = services.factor_choices(project)
    return form


def _theme_page(project, meeting, form, theme, conflict=None, status=200):
    return render_template("meetings/theme_form.html", project=project, meeting=meeting, form=form, theme=theme,
                           conflict=conflict), status


def _save_theme(meeting, theme, form: ThemeForm) -> MeetingTheme:
    saved = services.save_theme(meeting, theme, {"title": form.title.data, "description": form.description.data or ""},
                                step_ids=form.step_ids.data or [], factor_ids=form.factor_ids.data or [])
    db.session.commit()
    return saved


@bp.route("/<int:meeting_id>/themes/new", methods=["GET", "POST"])
@needs(Need.EDIT, meeting=Meeting)
def new_theme(project: Project, meeting: Meeting):
    form = _theme_form(project)
    if form.validate_on_submit():
        theme = _save_theme(meeting, None, form)
        flash(f"Theme “{theme.title}” added.", "success")
        return _to_meeting(project, meeting, "themes")
    return _theme_page(project, meeting, form, None, status=400 if form.errors else 200)


@bp.route("/<int:meeting_id>/themes/<int:theme_id>", methods=["GET", "POST"])
@needs(Need.EDIT, meeting=Meeting)
def edit_theme(project: Project, meeting: Meeting, theme_id: int):
    theme = get_or_404(MeetingTheme, theme_id, meeting_id=meeting.id)
    form = _theme_form(project, data=ThemeForm.data_of(theme) if request.method == "GET" else None)
    edit = save_edit(theme, form, lambda: _save_theme(meeting, theme, form))
    if edit.saved:
        flash("Theme saved.", "success")
        return _to_meeting(project, meeting, "themes")
    return _theme_page(project, meeting, form, theme, edit.conflict, edit.status)


@bp.route("/<int:meeting_id>/themes/<int:theme_id>/remove", methods=["POST"])
@needs(Need.EDIT, meeting=Meeting)
def remove_theme(project: Project, meeting: Meeting, theme_id: int):
    theme = get_or_404(MeetingTheme, theme_id, meeting_id=meeting.id)
    if ConfirmForm().validate_on_submit():
        title = theme.title
        services.remove_theme(meeting, theme)
        db.session.commit()
        flash(f"Theme “{title}” removed.", "success")
    return _to_meeting(project, meeting, "themes")
