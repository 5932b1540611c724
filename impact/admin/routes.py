"""Site administration: user accounts. Only site admins; everyone else gets 404."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from impact.access import site_admins_only
from impact.admin.forms import UserCreateForm, UserEditForm
from impact.auth.models import User
from impact.auth.services import AccountError, create_user, end_all_sessions, send_password_reset
from impact.extensions import db
from impact.pagination import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")


site_admins_only(bp)


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, None, is_admin=form.is_admin.data)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            user.can_create_projects = form.can_create_projects.data
            send_password_reset(user)
            db.session.commit()
            flash(f"Account made for {user.email}; they have been emailed a link to set a password.", "success")
            return redirect(url_for("admin.users"))
    query = request.args.get("q", "").replace("\x00", "").strip().lower()
    statement = select(User).order_by(User.name, User.id)
    if query:
        statement = statement.where(User.email.contains(query) | User.name.ilike(f"%{query}%"))
    page = db.paginate(statement, page=page_number(), per_page=current_app.config["ITEMS_PER_PAGE"])
    return render_template("admin/users.html", page=page, form=form, q=query), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (not form.is_admin.data or not form.active.data):
            form.is_admin.errors.append("You cannot remove your own admin rights or deactivate yourself.")
        else:
            user.name, user.is_admin, user.active = form.name.data, form.is_admin.data, form.active.data
            user.can_create_projects = form.can_create_projects.data
            if not user.active:
                end_all_sessions(user)  # a deactivated account is logged out everywhere at once
            db.session.commit()
            flash(f"{user.email} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", user=user, form=form), 400 if form.errors else 200


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
def send_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    send_password_reset(user)
    db.session.commit()
    flash(f"A password reset link has been emailed to {user.email}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
