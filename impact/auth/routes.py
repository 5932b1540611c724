from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from impact.auth import services
from impact.auth.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, ResetRequestForm
from impact.extensions import db, limiter, login_manager
from impact.features import page_context

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str):
    # "id:key" (User.get_id): a session that was ended (logout, password change) is refused.
    # A page may name what it reads first, to be read in the user's own statement (projects.permissions.needs).
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    read_along = getattr(view, services.READ_WITH_USER, None)
    return services.user_for_session(session_id, read_along, request.view_args if read_along is not None else None)


def log_in(user, *, remember: bool) -> None:
    """A fresh session for a fresh login: nothing planted in the cookie before (a CSRF token, say) survives."""
    session.clear()
    services.start_session(user)
    login_user(user, remember=remember)


def _keeps_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _network_login_limit() -> str:
    return current_app.config["LOGIN_NETWORK_RATE_LIMIT"]


def _address_and_account() -> str:
    """Key of the per-account login limit: the address and the email tried.

    A council office reaches us from one public address; keyed on the address alone, one
    person's typos would lock out the whole office. Guessing at many accounts from one address
    is capped by the (higher) network limit instead.
    """
    email = services.login_email(request.form.get("email") or "")[:254]
    return f"{get_remote_address()}|{email}"


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: an attacker's ?next=https://evil/ must not redirect off the site.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_address_and_account)
@limiter.limit(_network_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("projects.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            log_in(user, remember=form.remember.data)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("projects.index"))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user._get_current_object())
        db.session.commit()
    # Cleared first: logout_user() leaves the note that makes Flask-Login delete the remember cookie.
    session.clear()
    logout_user()
    flash("You have logged out.", "success")
    response = redirect(url_for("auth.login"))
    # Project pages are kept by the browser to be revalidated (impact/projects/conditional.py): on a
    # shared office PC, the next person must not find them.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_address_and_account)
@limiter.limit(_network_login_limit, methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.active:
            services.send_password_reset(user)
            db.session.commit()
        # The same answer whether or not the account exists, so the form cannot be used to probe emails.
        flash("If that email belongs to an account, a reset link is on its way. It works for one hour.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user, problem = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html", message=problem), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash("Your password is set. Please log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/account")
@login_required
def account():
    """The user's own page: their details, their password, and what the parts keep for them (API tokens)."""
    user = current_user._get_current_object()
    return render_template("auth/account.html", user=user, **page_context("auth.account", user=user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.password.data)
            # The new password ended every session, this one too: log it back in with a new
            # one, and re-issue the remember cookie if it had one, so only the others end.
            log_in(user, remember=_keeps_remember_cookie())
            db.session.commit()
            flash("Your password has been changed.", "success")
            return redirect(url_for("projects.index"))
    return render_template("auth/change_password.html", form=form)
