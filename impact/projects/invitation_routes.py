"""The invitee's side of an invitation: the emailed link, no account needed to open it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from impact.access import public_form_limit
from impact.auth.forms import ResetPasswordForm
from impact.auth.routes import log_in
from impact.auth.services import AccountError, create_user, find_user_by_email
from impact.extensions import db
from impact.forms import BaseForm
from impact.projects import invitations

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


class NewAccountForm(ResetPasswordForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    submit = SubmitField("Create my account and join")


class JoinForm(BaseForm):
    submit = SubmitField("Join the project")



@bp.route("/<token>", methods=["GET", "POST"])
@public_form_limit
def accept(token: str):
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvitationError as problem:
        return render_template("projects/invitation_invalid.html", message=str(problem)), 400
    account = find_user_by_email(invitation.email)
    if account is None:
        return _new_account(invitation)
    if not current_user.is_authenticated:
        # Whoever holds the link can read the invitee's email address in it anyway (it was sent there).
        return render_template("projects/invitation.html", invitation=invitation, state="log_in",
                               login_url=url_for("auth.login", next=request.path))
    if current_user.id != account.id:
        return render_template("projects/invitation.html", invitation=invitation, state="other_account"), 403
    form = JoinForm()
    if form.validate_on_submit():
        invitations.accept(invitation, account)
        db.session.commit()
        flash(f"You have joined {invitation.project.title} as {invitation.role.label.lower()}.", "success")
        return redirect(url_for("projects.project", project_id=invitation.project_id))
    return render_template("projects/invitation.html", invitation=invitation, state="join", form=form)


def _new_account(invitation):
    form = NewAccountForm(data=None if request.method == "POST" else {"name": invitation.name})
    if form.validate_on_submit():
        # The link was sent to this address, so opening it proves the address is theirs.
        try:
            user = create_user(invitation.email, form.name.data, form.password.data)
        except AccountError:  # made a moment ago, in another tab: log in with it instead
            return redirect(request.path)
        invitations.accept(invitation, user)
        log_in(user, remember=False)
        db.session.commit()
        flash(f"Welcome. You have joined {invitation.project.title} as {invitation.role.label.lower()}.", "success")
        return redirect(url_for("projects.project", project_id=invitation.project_id))
    return render_template("projects/invitation.html", invitation=invitation, state="new_account", form=form), \
        (400 if form.errors else 200)
