"""The sign-in link of a reminder email: a page with one button, which signs the lead in once and opens
the update form."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from impact.access import public_form_limit
from impact.auth.routes import log_in
from impact.extensions import db
from impact.forms import BaseForm
from impact.research import reminders

bp = Blueprint("research_sign_in", __name__, url_prefix="/research/sign-in")


class ContinueForm(BaseForm):
    pass


@bp.route("/<token>", methods=["GET", "POST"])
@public_form_limit
def sign_in(token: str):
    try:
        reminder = reminders.reminder_for_token(token)
    except reminders.SignInProblem as problem:
        return render_template("research/sign_in.html", problem=str(problem), form=None), 400
    form = ContinueForm()
    if form.validate_on_submit():
        try:
            reminders.use(reminder)
        except reminders.SignInProblem as problem:
            db.session.rollback()
            return render_template("research/sign_in.html", problem=str(problem), form=None), 400
        log_in(reminder.user, remember=False)
        prp = reminder.research_project
        db.session.commit()
        return redirect(url_for("research.new_update", project_id=prp.project_id, prp_id=prp.id))
    return render_template("research/sign_in.html", problem=None, form=form, reminder=reminder)
