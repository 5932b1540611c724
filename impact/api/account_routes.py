"""Tokens on the user's own account page: create one (shown once), see when each was used, revoke."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from impact.access import get_or_404, signed_in_only
from impact.api import tokens
from impact.api.forms import RevokeForm, TokenForm
from impact.api.models import ApiToken
from impact.extensions import db

bp = signed_in_only(Blueprint("api_tokens", __name__, url_prefix="/account/tokens"))


def account_panel(user) -> dict:
    """The account page's list of the user's tokens."""
    return {"panels": [Markup(render_template("api/_tokens.html", tokens=db.session.scalars(tokens.tokens_of(user))
                                              .all(), revoke_form=RevokeForm()))]}


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = TokenForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That is not your password.")
            return render_template("api/token_form.html", form=form), 400
        token, raw = tokens.create_token(current_user, form.name.data)
        db.session.commit()
        # Shown on this page, never put in the session or a link: after it, only its hash exists.
        return render_template("api/token_created.html", token=token, raw=raw)
    return render_template("api/token_form.html", form=form), 400 if form.errors else 200


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    token = get_or_404(ApiToken, token_id, user_id=current_user.id)  # someone else's token does not exist
    if RevokeForm().validate_on_submit():
        tokens.revoke(token)
        db.session.commit()
        flash(f"Token “{token.name}” revoked: programs using it are refused from now on.", "success")
    return redirect(url_for("auth.account"))
